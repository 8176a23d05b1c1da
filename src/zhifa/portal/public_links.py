"""Links from the portal to the public pages other apps provide. A link is shown only when its URL resolves,
so the portal never points at a page that does not exist (yet)."""

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

# (section, label, candidate URL names, candidate paths)
CANDIDATES = [
    ("事前公开", "权责清单", ["oversight:public_powers", "oversight:power_public", "oversight:public_power_list", "oversight:public"], ["/oversight/public/powers/", "/oversight/public/"]),
    ("事前公开", "行政裁量权基准", ["discretion:public_benchmarks", "discretion:public_benchmark_list", "discretion:public"], ["/discretion/public/benchmarks/", "/discretion/public/"]),
    ("事前公开", "四张清单（免罚、轻罚、减轻、不予强制）", ["discretion:public_lists", "discretion:public_four_lists", "discretion:four_lists_public"], ["/discretion/public/lists/"]),
    ("事前公开", "双随机抽查计划与结果", ["inspections:public_results", "inspections:public_plans", "inspections:public"], ["/inspections/public/results/"]),
    ("事前公开", "企业风险点", ["inspections:public_risk_points", "inspections:risk_points_public"], ["/inspections/public/risk-points/"]),
    ("便民服务", "信用修复指南", ["credit:public_guide", "credit:repair_guide"], ["/credit/public/repair-guide/"]),
    ("便民服务", "信用修复网上申请", ["credit:public_repair"], ["/credit/public/repair/"]),
    ("便民服务", "投诉举报（凭查询码跟踪）", ["complaints:public_new", "complaints:public_submit", "complaints:public"], ["/complaints/public/", "/complaints/submit/"]),
    ("便民服务", "投诉办理进度查询", ["complaints:public_track"], []),
    ("便民服务", "非现场执法远程处理", ["overload:remote", "overload:remote_start", "overload:public_remote"], ["/overload/remote/"]),
    ("便民服务", "罚款缴纳（凭缴款码）", ["portal:pay"], []),
]


def payment_url(code: str) -> str | None:
    """The payments app's page for a payment code, or None when that app offers none."""
    try:
        return reverse("payments:pay", args=[code])
    except NoReverseMatch:
        return None


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def available_links() -> list[dict]:
    links = []
    for section, label, names, paths in CANDIDATES:
        url = None
        for name in names:
            try:
                url = reverse(name)
                break
            except NoReverseMatch:
                continue
        if url is None:
            url = next((p for p in paths if _resolves(p)), None)
        if url == reverse("portal:pay") and payment_url("0") is None:
            url = None
        if url is not None:
            links.append({"section": section, "label": label, "url": url})
    return links
