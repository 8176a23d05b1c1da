"""The core registers as list/detail/search pages: one register-kit description (``core.kit.Register``) per
register; core's own views serve them (they add the Excel import and the masked export)."""

from . import models, selectors
from .kit import Register

# Written positionally: key, title, model, selector, columns, detail, search hint; related lists by keyword.


REGISTERS = {
    r.key: r
    for r in [
        Register(
            "organisations", "执法主体与机构", models.Organisation,
            lambda user, search="": selectors.organisations_for(user).filter(name__contains=search) if search else selectors.organisations_for(user),
            [("名称", "name"), ("层级", "get_kind_display"), ("上级", "parent"), ("机构代码", "code"), ("文书字号前缀", "doc_prefix")],
            [("名称", "name"), ("层级", "get_kind_display"), ("上级机构", "parent"), ("机构代码", "code"), ("行政区划代码", "region_code"),
             ("统一社会信用代码", "credit_code"), ("文书字号前缀", "doc_prefix"), ("地址", "address"), ("电话", "phone")],
            "机构名称",
            related=[("下级机构", "children", [("名称", "name"), ("层级", "get_kind_display")]),
             ("执法人员", "officers", [("姓名", "name"), ("执法证号", "cert_number"), ("证件状态", "get_cert_status_display")])],
        ),
        Register(
            "officers", "执法人员", models.Officer, selectors.officers_for,
            [("姓名", "name"), ("执法证号", "cert_number"), ("所属机构", "organisation"), ("证件状态", "certificate_state_label"),
             ("有效期至", "cert_expires_on"), ("法律职业资格", "legal_qualification")],
            [("姓名", "name"), ("所属机构", "organisation"), ("职务", "position"), ("执法证号", "cert_number"),
             ("证件状态", "certificate_state_label"), ("发证日期", "cert_issued_on"), ("有效期至", "cert_expires_on"),
             ("最近年审", "annual_review_on"), ("法律职业资格", "legal_qualification"), ("在岗", "is_active"), ("登录账号", "user")],
            "姓名或执法证号",
        ),
        Register(
            "parties", "当事人", models.Party, selectors.parties_for,
            [("名称/姓名", "name"), ("类别", "get_kind_display"), ("证件号码", "masked_identifier"), ("联系电话", "phone"), ("管辖机构", "organisation")],
            [("名称/姓名", "name"), ("类别", "get_kind_display"), ("身份证号码", "id_number"), ("统一社会信用代码", "credit_code"),
             ("法定代表人", "legal_representative"), ("联系电话", "phone"), ("住所/地址", "address"), ("管辖机构", "organisation")],
            "名称、身份证号或信用代码",
            related=[("名下车辆", "vehicles", [("号牌", "plate"), ("颜色", "get_plate_colour_display"), ("类型", "vehicle_type")])],
        ),
        Register(
            "vehicles", "车辆", models.Vehicle, selectors.vehicles_for,
            [("号牌", "plate"), ("颜色", "get_plate_colour_display"), ("类型", "vehicle_type"), ("轴数", "axle_count"),
             ("所有人", "owner"), ("所属企业", "company"), ("道路运输证", "get_transport_cert_status_display")],
            [("号牌", "plate"), ("号牌颜色", "get_plate_colour_display"), ("车辆类型", "vehicle_type"), ("货车", "is_goods_vehicle"),
             ("汽车列车", "is_combination"), ("轴数", "axle_count"), ("驱动轴为单轴", "single_drive_axle"), ("所有人", "owner"),
             ("所属企业", "company"), ("道路运输证号", "transport_cert_number"), ("道路运输证状态", "get_transport_cert_status_display"),
             ("管辖机构", "organisation")],
            "号牌号码，如 豫R·A1234",
        ),
        Register(
            "drivers", "驾驶员", models.Driver, selectors.drivers_for,
            [("姓名", "name"), ("从业资格证号", "qualification_number"), ("状态", "get_qualification_status_display"), ("所属企业", "company")],
            [("姓名", "name"), ("身份证号码", "id_number"), ("从业资格证号", "qualification_number"), ("状态", "get_qualification_status_display"),
             ("有效期至", "qualification_valid_until"), ("所属企业", "company"), ("电话", "phone"), ("管辖机构", "organisation")],
            "姓名、身份证号或从业资格证号",
        ),
        Register(
            "companies", "运输企业", models.TransportCompany, selectors.companies_for,
            [("企业名称", "name"), ("类型", "get_kind_display"), ("统一社会信用代码", "credit_code"), ("许可证号", "licence_number"),
             ("许可证状态", "get_licence_status_display")],
            [("企业名称", "name"), ("类型", "get_kind_display"), ("统一社会信用代码", "credit_code"), ("法定代表人", "legal_representative"),
             ("道路运输经营许可证号", "licence_number"), ("许可证状态", "get_licence_status_display"), ("有效期至", "licence_valid_until"),
             ("经营范围", "business_scope"), ("地址", "address"), ("电话", "phone"), ("管辖机构", "organisation")],
            "企业名称或信用代码",
            related=[("车辆", "vehicles", [("号牌", "plate"), ("类型", "vehicle_type"), ("轴数", "axle_count")]),
             ("驾驶员", "drivers", [("姓名", "name"), ("从业资格证号", "qualification_number")])],
        ),
        Register(
            "sources", "货运源头单位", models.SourceUnit, selectors.source_units_for,
            [("单位名称", "name"), ("类型", "get_kind_display"), ("统一社会信用代码", "credit_code"), ("重点监管", "is_key_unit")],
            [("单位名称", "name"), ("类型", "get_kind_display"), ("统一社会信用代码", "credit_code"), ("地址", "address"),
             ("配备称重设备", "has_weighing_equipment"), ("重点监管", "is_key_unit"), ("管辖机构", "organisation")],
            "单位名称或信用代码",
        ),
    ]
}
