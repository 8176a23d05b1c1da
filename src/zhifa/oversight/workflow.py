"""The problem-list transition table (问题清单流转). A problem reaches 已销号 only through a 回头看 re-check
(常德 measure 4: 适时开展“回头看”，确保整改到位); there is no other way to close it."""

from zhifa.core.errors import TransitionNotAllowed

from .models import Problem

S = Problem.Status

# (from status, action) → to status
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, "start"): S.RECTIFYING,          # 责任人开始整改
    (S.OPEN, "report"): S.RECTIFIED,          # 立行立改：直接报告整改完成
    (S.RECTIFYING, "report"): S.RECTIFIED,    # 报告整改完成
    (S.RECTIFIED, "recheck_pass"): S.CLOSED,  # 回头看：整改到位，销号
    (S.RECTIFIED, "recheck_fail"): S.RECTIFYING,  # 回头看：整改不到位，退回继续整改
}

ACTION_LABELS = {
    "create": "登记问题",
    "start": "开始整改",
    "report": "报告整改完成",
    "recheck_pass": "回头看：整改到位，销号",
    "recheck_fail": "回头看：整改不到位，退回",
    "extend": "延长整改期限",
}


def target(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``, or TransitionNotAllowed."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        label = S(status).label if status in S.values else status
        raise TransitionNotAllowed(
            "transition_not_allowed", f"问题处于“{label}”状态，不能执行“{ACTION_LABELS.get(action, action)}”。"
        ) from None


def actions_from(status: str) -> list[str]:
    return [action for (src, action) in TRANSITIONS if src == status]
