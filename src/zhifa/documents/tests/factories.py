"""Contexts for the document forms, complete enough to issue each kind."""

from zhifa.documents.kinds import KINDS

BASE = {
    "party_name": "南阳宏达物流有限公司", "party_kind": "organisation", "party_credit_code": "91411321MA45ABCD1X",
    "party_legal_rep": "周伟", "party_address": "南召县城关镇白河路18号", "party_phone": "13803770001",
    "vehicle": "豫R·D3578（黄色）", "case_number": "召交案〔2026〕0012号", "cause": "车辆超限运输",
    "officers": ["王建国（执法证号 41130001）", "李明（执法证号 41130002）"],
    "facts": "2026年10月8日，当事人所属豫R·D3578重型半挂牵引车在G207线皇后超限检测站经检测车货总质量55,600千克，超过限值49,000千克6,600千克。",
    "evidence": ["现场笔录", "询问笔录", "称重检测单", "现场照片6张"],
    # the catalogue's CX-001 citations (车货总质量超过限定标准)
    "violated_provision": "《中华人民共和国公路法》第五十条第一款；《公路安全保护条例》第三十三条",
    "penalty_provision": "《公路安全保护条例》第六十四条；《超限运输车辆行驶公路管理规定》第四十三条第一款第（四）项",
    "legal_basis": "《中华人民共和国行政强制法》第二十二条",  # the coercive measure's own basis (行政强制措施决定书)
    "payment_code": "411321260000000017", "pay_url": "https://zhifa.example.cn/payments/pay/411321260000000017/",
    "due_on": "2026-11-13", "amount_due": "3000.00",
    "discretion_reasoning": "超限6吨（按整吨计），每超1000千克罚款500元，当事人主动卸载，依法从轻处罚。",
    "proposed_penalty": "罚款人民币3,000元", "penalty": "罚款", "amount": "3000.00",
    "opened_on": "2026-10-09", "notified_on": "2026-10-16", "decided_on": "2026-10-28", "delivered_on": "2026-10-29",
    "case_source": "检查发现", "brief": "超限运输，现场卸载。", "started_at": "2026-10-08T09:30", "ended_at": "2026-10-08T10:10",
    "place": "G207线皇后超限检测站", "interviewee": "周伟", "questions": [{"q": "车辆装载何物？", "a": "石料。"}],
    "observations": "车辆经检测超限，驾驶员在场。", "hearing_at": "2026-10-30T09:00", "host": "张法审",
    "statements": [{"speaker": "主持人", "text": "现在开始听证。"}], "reason": "当事人初次违法且危害后果轻微并及时改正",
    "served_document": "行政处罚决定书", "method": "直接送达", "served_at": "2026-10-29",
    "decision_number": "豫R召交罚〔2026〕0001号", "schedule": [{"due_on": "2026-11-30", "amount": "1500.00"}, {"due_on": "2026-12-30", "amount": "1500.00"}],
    "applied_on": "2026-11-05", "approved_on": "2026-11-06", "surcharge": "630.00", "issued_on": "2026-11-20",
    "outcome": "罚款人民币3,000元", "execution": "已于2026年11月10日缴清", "closed_on": "2026-11-12",
    # coercive measures (行政强制措施决定书, 延长通知书, 解除决定书)
    "measure_kind": "扣押", "period": "30日（自2026年10月8日起至2026年11月7日止）", "original_decision": "豫R召交强〔2026〕0001号",
    "items": [{"name": "重型半挂牵引车豫R·D3578", "quantity": "1", "unit": "辆", "description": "黄色号牌"}],
    "extension_days": 30, "extension_reason": "需委托检测机构对货物进行检测", "period_to": "2026-12-07",
    # 抽样取证凭证, 证据登记保存清单 / 解除决定书 (行政处罚法 Art. 56), 责令改正违法行为通知书
    "sample_place": "G207线皇后超限检测站", "sampled_on": "2026-10-08", "preserve_place": "执法大队证据保管室",
    "preserve_reason": "当事人运输单证随车流动，事后难以取得", "decide_by": "2026-10-19",
    "problems": "未建立动态监控值班制度", "order_basis": "《道路运输车辆动态监督管理办法》第二十六条", "deadline": "2026-10-30",
    "found_on": "2026-10-08", "found_by": "在“双随机、一公开”抽查中", "you": "你单位",
    # 行政强制执行申请书 (行政强制法 Arts. 53-55)
    "court": "南召县人民法院", "applicant": "南召县交通运输综合行政执法大队", "reminder_number": "豫R召交催〔2026〕0003号",
    "reminded_on": "2026-11-25", "outstanding": "3000.00", "total": "3090.00",
    # agency's own enforcement (行政强制法 Arts. 37, 39-40, 44, 51)
    "statute": "《中华人民共和国公路法》第八十一条", "obligation": "拆除在公路建筑控制区内修建的彩钢板房",
    "executor": "南召县公路养护服务中心", "cost": "3600.00", "grounds": "执行标的灭失的（第四十条第（三）项）", "reason_text": "标的已灭失",
    # 告知承诺书 (首违不罚)
    "paragraphs": ["南阳宏达物流有限公司：", "经查，你单位实施了违法行为。", "本单位承诺：不再实施同类违法行为。"],
    "party_sign_label": "承诺单位（盖章）及法定代表人（签名）",
    "release_reason": "已对违法行为作出处理决定，不再需要（第二十八条第一款第三项）", "returned_to": "周伟", "released_on": "2026-10-28",
    # serious-dishonesty listing (认定告知书, 列入决定书; credit app)
    "category": "超限运输车辆严重失信", "criteria": "货运车辆一年内违法超限运输超过3次",
    "measures": "列为重点监管对象，提高抽查比例和频次", "statement_days": 5, "statement_due": "2026-10-23", "statement_due_confirmed": True,
    "notice_number": "豫R召交失告〔2026〕1号", "listed_on": "2026-10-28", "expires_on": "2029-10-28", "repair_from": "2027-10-28",
    "term_months": 36, "repair_after_months": 12,
}


def context_for(kind: str, **overrides) -> dict:
    ctx = dict(BASE, **overrides)
    assert all(ctx.get(k) for k in KINDS[kind].required)
    return ctx


# The same scenario for a citizen (个体货车车主): 你, ID number, no legal representative.
PERSON = {"party_name": "赵六", "party_kind": "person", "party_credit_code": "", "party_legal_rep": "",
          "party_id_number": "41132119800313666X", "party_address": "南召县皇后乡皇后村3组", "party_phone": "13937712345",
          "vehicle": "豫R·A1234（黄色）", "returned_to": "赵六", "interviewee": "赵六",
          "facts": "2026年10月8日，当事人驾驶的豫R·A1234重型半挂牵引车在G207线皇后超限检测站经检测车货总质量55,600千克，超过限值49,000千克6,600千克。"}


def golden_context(kind: str, who: str) -> dict:
    """A realistic scenario of form ``kind`` for a person or an organisation (the golden texts' input)."""
    ctx = dict(BASE, **(PERSON if who == "person" else {}))
    ctx.update({"statement": "车辆装载时未过磅，不知道超限", "statement_adopted": "当事人的陈述不能免除其法定义务，不予采纳",
                "hearing_right": False, "hearing_held_on": "", "rights_waived_on": "", "public": True,
                "delivery_address": ctx["party_address"], "received_at": "2026-10-08T02:10:00+00:00",
                "occurred_at": "2026-10-08T01:20:00+00:00", "head_name": "刘振华", "case_source": "检查发现",
                "head_opinion": "罚款已缴清，案件办理完毕，同意结案。" if kind == "closing_report" else "同意立案。", "measures": ctx.get("measures", "限制参与政府采购"),
                "category": "超限运输严重失信", "criteria": "一年内违法超限运输超过3次", "term_months": 12,
                "repair_after_months": 6, "statement_days": 5, "statement_due_confirmed": True, "listed_on": "2026-11-20",
                "repair_from": "2027-05-21", "notice_number": "豫R召交失告〔2026〕0001号", "expires_on": "2027-11-19",
                "review_note": "当事人提出的理由不成立", "paragraphs": ["本人承诺立即改正违法行为。", "本人承诺今后不再实施同类违法行为。"]})
    if kind == "no_penalty_decision":  # the article not penalising rests on (首违不罚)
        ctx["penalty_provision"] = "《中华人民共和国行政处罚法》第三十三条第一款"
    if kind in ("hearing_notice", "hearing_record"):
        ctx["place"] = "南召县交通运输综合行政执法大队听证室"
    if kind == "delivery_receipt":
        ctx["served_document"] = "行政处罚决定书 豫R召交罚〔2026〕0001号"
    if kind.startswith("execution_") or kind == "substitute_decision":
        ctx["issued_on"] = "2026-12-08"  # after the 催告书 (2026-11-25) and its ten days (行政强制法 Arts. 35, 54)
        if kind != "execution_announcement":
            # Art. 44: demolishing by force (and what follows it) only after the litigation period (delivered
            # 2026-10-29 → 2027-04-29) and the announced time (2026-12-18)
            ctx["issued_on"] = "2027-05-10"
    if kind == "enforcement_application":
        # 行政强制法 Art. 53: only after the litigation period (delivered 2026-10-29 → 2027-04-29) has run out; by then
        # the surcharge (3% a day from 2026-11-14) has reached its cap, the fine (行政处罚法 Art. 72 ¶1 (一))
        ctx.update(issued_on="2027-05-10", surcharge="3000.00", total="6000.00")
    if kind == "execution_announcement":  # Art. 44: the time to demolish runs from the announcement (the service refuses a past one)
        ctx["deadline"] = "2026-12-18"
    if kind == "execution_decision":  # 行政强制法 Art. 37: the way of enforcing, not a delivery method
        ctx["method"] = "依法强制拆除"
    if kind in ("execution_suspend", "execution_resume"):  # 行政强制法 Art. 39 ¶1 (一): no present ability to perform
        ctx.update(grounds="当事人履行行政决定确有困难或者暂无履行能力的（第三十九条第一款第（一）项）",
                   reason_text="当事人提交了经营困难的证明材料")
    if kind == "onspot_decision" and who == "person":
        # 行政处罚法 Art. 51: on the spot a citizen gets at most 200 yuan or a warning — here 800 kg over: a warning
        ctx.update(facts="2026年10月8日，当事人驾驶的豫R·A1234重型半挂牵引车在G207线皇后超限检测站经检测车货总质量49,800千克，超过限值49,000千克800千克。",
                   penalty="警告", amount="", discretion_reasoning="超过限值不足1000千克，依照《超限运输车辆行驶公路管理规定》第四十三条予以警告",
                   payment_code="", pay_url="")
    return ctx
