"""Navigation by role (issue 18 item 7): the sidebar holds the user's own work, not one list of every page; the rest
is on 全部功能 (with a search); every entry shown answers 200 for the viewer."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _sidebar(client, path="/"):
    html = client.get(path).content.decode()
    nav = html[html.index('<nav class="sidenav"'):html.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


HOMES = {
    "officer": {"我的案件", "期限预警", "消息", "登记线索", "简易程序", "号牌待核查"},
    "reviewer": {"待法制审核", "法制审核目录", "消息"},
    "head": {"待审批立案", "待审查调查终结报告", "待批准强制措施", "待补办批准强制措施", "批量分派工单", "期限预警", "消息"},  # a head who is also an officer: the head's home
    "supervisor": {"问题清单", "挂牌督办台账", "案卷评查", "全过程记录", "消息"},
    "admin": {"执法主体", "执法人员", "工作日历", "接口报送", "消息"},
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_sees_its_own_work_and_the_full_menu_one_click_away(world, client_for, role):
    client = client_for(role)
    links = _sidebar(client)
    labels = {label for _, label in links}
    assert HOMES[role] <= labels, HOMES[role] - labels
    assert "全部功能 →" in labels and len(links) <= 15, labels
    for url, label in links:
        assert client.get(url).status_code == 200, (role, label, url)
    menu = client.get("/menu/").content.decode()
    entries = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', menu)
    assert len(entries) > len(links)  # everything else the role may open is on 全部功能
    # (every entry of 全部功能 answering 200 for every role is the crawl test's: tests/test_crawl.py starts from "/")


def test_an_officer_is_not_offered_what_only_others_may_open(world, client_for):
    menu = client_for("officer").get("/menu/").content.decode()
    menu = menu[menu.index("<main"):]
    assert "待法制审核" not in menu and "全过程记录" not in menu and "接口报送" not in menu
    admin_menu = client_for("admin").get("/menu/").content.decode()
    assert "实施行政强制措施" not in admin_menu[admin_menu.index("<main"):] and "简易程序" not in admin_menu


def test_menu_search_finds_an_entry_by_name_or_area(world, client_for):
    client = client_for("officer")
    html = client.get("/menu/", {"q": "信用"}).content.decode()
    page = html[html.index("<main"):]
    assert "信用等级" in page and "严重失信名单" in page and "简易程序" not in page
    assert "没有名称含“不存在的功能”的功能" in client.get("/menu/", {"q": "不存在的功能"}).content.decode()


def test_the_area_of_the_page_being_read_stays_in_the_sidebar(world, client_for):
    labels = {label for _, label in _sidebar(client_for("officer"), "/permits/")}
    assert "许可申请" in labels and "窗口统计" in labels and "信用等级" not in labels


def test_a_queue_entry_is_current_with_its_filter_only(world, client_for):
    client = client_for("head")
    html = client.get("/cases/?status=lead").content.decode()
    assert re.search(r'<a href="/cases/\?status=lead" class="active">待审批立案</a>', html)
    assert '<a href="/cases/" class="active">' not in html


def test_the_entries_are_kept_per_roles_and_the_current_page_is_marked_per_request(world, client_for):
    """The entries of a set of roles are reversed once per process (``context_processors._entries_for``);
    which one is the current page is worked out on each request, and a role taken away changes the entries
    at the next one."""
    from django.contrib.auth.models import Group

    officer = client_for("officer")

    def current(path):
        return re.findall(r'<a href="([^"]+)" class="active">', officer.get(path).content.decode())

    assert current("/cases/mine/") == ["/cases/mine/"]
    assert current("/") == ["/"] and current("/cases/mine/") == ["/cases/mine/"]
    head = client_for("head")
    assert "待审批立案" in {label for _, label in _sidebar(head)}
    world.users["head"].groups.remove(Group.objects.get(name="head"))
    labels = {label for _, label in _sidebar(head)}
    assert "待审批立案" not in labels and "我的案件" in labels
