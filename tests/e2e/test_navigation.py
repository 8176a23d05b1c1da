"""Navigation by role in the browser (issue 18 item 7): each role's sidebar holds its own work; anything else is one
search away (the sidebar's 查找功能 box leads to 全部功能) — on a desktop and, through the menu button, on a phone.
Screenshots go to test-artifacts/e2e/."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOME = {
    "officer": ["我的案件", "期限预警", "登记线索", "简易程序", "号牌待核查"],
    "reviewer": ["待法制审核", "法制审核目录"],
    "head": ["待审批立案", "待审查调查终结报告", "待批准强制措施"],
    "supervisor": ["问题清单", "挂牌督办台账", "案卷评查", "全过程记录"],
}


@pytest.mark.parametrize("role", list(HOME))
def test_each_role_finds_its_work_and_searches_the_rest(world, open_session, role):
    s = open_session(f"nav-{role}").login(role)
    page = s.page
    nav = page.locator("nav.sidenav")
    links = nav.locator("a:visible")
    labels = [t.strip() for t in links.all_inner_texts()]
    assert all(label in labels for label in HOME[role]), labels
    assert len(labels) <= 14 and labels[-1] == "全部功能 →"
    s.shot("01-sidebar", full_page=False)
    nav.get_by_label("查找功能").fill("信用")
    with page.expect_navigation():
        nav.get_by_label("查找功能").press("Enter")
    found = [t.strip() for t in page.locator("main .menu-list a").all_inner_texts()]
    assert "信用等级" in found and "严重失信名单" in found and all("信用" in t or "失信" in t for t in found)
    with page.expect_navigation():
        page.locator("main .menu-list a", has_text="信用等级").click()
    assert page.url.endswith("/credit/")
    # The page's own area stays in the sidebar while it is read.
    assert nav.locator("a.active", has_text="信用等级").count() == 1
    s.shot("02-area")


def test_on_a_phone_the_menu_button_opens_the_officers_work(world, open_session):
    s = open_session("nav-officer-phone", viewport={"width": 390, "height": 844}).login("officer")
    page = s.page
    nav = page.locator("nav.sidenav")
    assert not nav.get_by_role("link", name="我的案件").is_visible() or nav.evaluate("n => n.getBoundingClientRect().right <= 0")
    page.get_by_role("button", name="菜单").click()
    nav.get_by_role("link", name="我的案件").wait_for(state="visible")
    nav.evaluate("n => n.getAnimations().length === 0 ? null : Promise.all(n.getAnimations().map(a => a.finished))")
    assert nav.evaluate("n => n.getBoundingClientRect().left") == 0  # the slide-in has ended (no fixed wait)
    s.shot("01-menu-open", full_page=False)
    with page.expect_navigation():
        nav.get_by_role("link", name="全部功能 →").click()
    assert page.get_by_role("heading", name="全部功能").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
    s.shot("02-all-functions")
