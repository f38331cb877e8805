"""The whole loop of issue 16 in a real browser (Playwright driving Debian's chromium, headless), through
the pages only — Chinese on a 375-px phone and English on a 1280-px desktop:

school staff print the invitation sheet of a roster class → the graduate activates the account of that
roster row with the code (``/web/activate``) and completes the profile (skills from the suggestions,
places, pay, job types) → saves a search (a job alert) → an employer signs up
(``/web/sign-up/employer``), the school approves it from the queue, the employer publishes a posting →
the graduate applies with the résumé and a note → the employer reads the résumé, writes a message and
proposes an interview → the graduate sees the invitation in the inbox and the test SMTP server receives
its e-mail (the drainer runs as the scheduler would), then accepts a time → the employer's inbox and
e-mail say so → the employer hires with the start date and pay → the graduate confirms the destination
→ the school sees it on the follow-up list and the dashboard.

Only the school and its roster row are put in the database directly (the roster upload page has its own
browser and HTTP tests). Every text asserted is looked up in the page language's catalogue. At 375 px
no page scrolls sideways. SQLite only, as the other browser tests (the pages' data paths run on both
backends in their HTTP tests); screenshots go to ``test-artifacts/screenshots/whole-loop-*``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.accounts.models import Role, User
from service.accounts.security import hash_password
from service.catalog.models import School
from service.config import Settings
from service.db import make_engine
from service.graduates.models import Graduate
from service.notifications.delivery import Drainer
from service.web.i18n import load_catalogues
from tests.browser import launch_chromium
from tests.conftest import run_async
from tests.factories import guangdong_regions
from tests.notifications.smtp_sink import SmtpSink
from tests.web.conftest import PASSWORD
from tests.web.test_browser import SCREENSHOTS

ID_NUMBER = "44010620080101001" + ric.calc_check_digit("440106200801010010")
STAFF = "staff@jidian.example.cn"
GRADUATE = "chen.mingce@example.cn"
EMPLOYER = "hr@xinrui.example.cn"
COMPANY = "广州新锐机电有限公司"
TITLE = "数控车床操作工"
BEIJING = dt.timezone(dt.timedelta(hours=8))

#: (page language, viewport width, browser locale)
LOOKS = {"zh_Hans": (375, "zh-CN"), "en": (1280, "en-US")}


@pytest.fixture
def backend() -> str:
    """One backend, as every browser test (see the module docstring)."""
    return "sqlite"


@pytest.fixture
async def school(session: AsyncSession) -> dict[str, int]:
    """The roster facts (the only data not entered through the pages): 广东省 › 广州市 › 天河区, the
    school 广州市机电技师学校 with its staff account, and its roster row 陈名册 (学号 2026001, class
    数控1班, cohort 2026) without an account."""
    session.add_all(guangdong_regions())
    await session.flush()
    s = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    session.add(s)
    await session.flush()
    g = Graduate(
        name="陈名册",
        school_id=s.id,
        student_number="2026001",
        cohort=2026,
        class_name="数控1班",
        id_number=ID_NUMBER,
        region_code="440106",
        province="广东省",
        city="广州市",
    )
    session.add(g)
    session.add(User(role=Role.SCHOOL, email=STAFF, password_hash=await hash_password(PASSWORD), school_id=s.id))
    await session.commit()
    return {"school": s.id, "graduate": g.id}


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def browser(server: Any, school: dict[str, int], smtp_sink: SmtpSink) -> Iterator[Any]:
    """Chromium, started after the server and the data (Playwright's sync API runs its own loop)."""
    yield from launch_chromium()


class Loop:
    """One run of the loop: the page language, the viewport and a browser context per person."""

    def __init__(self, browser: Any, base: str, lang: str, settings: Settings, sink: SmtpSink) -> None:
        self.browser, self.base, self.lang, self.settings, self.sink = browser, base, lang, settings, sink
        self.width, self.locale = LOOKS[lang]
        self._ = load_catalogues().get(lang).gettext

    def person(self) -> Any:
        """A page in a context of its own (its own cookies), in the page language at the viewport width."""
        ctx = self.browser.new_context(
            viewport={"width": self.width, "height": 860}, locale=self.locale, is_mobile=self.width < 600
        )
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        return page

    def sign_in(self, page: Any, email: str, password: str = PASSWORD) -> None:
        page.goto(f"{self.base}/web/sign-in")
        page.locator("#login").fill(email)
        page.locator("#password").fill(password)
        page.get_by_role("button", name=self._("Sign in")).click()
        page.wait_for_url(lambda url: "/web/sign-in" not in url)

    def check(self, page: Any, name: str) -> None:
        """The page fits the phone (no sideways scrolling) and its screenshot is saved."""
        if self.width < 600:
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= self.width, f"{page.url}: content {width}px wide in a {self.width}px viewport"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"whole-loop-{self.lang}-{self.width}-{name}.png"), full_page=True)

    def see(self, page: Any, *texts: str, within: str = "main") -> None:
        """Each of ``texts`` is visible in ``within`` (waits for it, as the page may still be swapping)."""
        for text in texts:
            page.locator(within, has_text=text).first.wait_for()

    def drain(self) -> None:
        """One run of the notification drainer (the scheduler's job) with SMTP to the test server."""
        smtp = msgspec.structs.replace(self.settings, smtp_url=self.sink.url)

        async def work() -> None:
            engine = make_engine(smtp)
            try:
                await Drainer(engine, smtp).run()
            finally:
                await engine.dispose()

        run_async(work)

    def mail_to(self, address: str, subject: str) -> Any:
        """The e-mail to ``address`` with ``subject`` the SMTP server received (after one drain)."""
        self.drain()
        found = [m for m in self.sink.messages if address in str(m["To"]) and str(m["Subject"]) == subject]
        assert found, f"no e-mail “{subject}” to {address}: {[(m['To'], m['Subject']) for m in self.sink.messages]}"
        return found[0]


@pytest.mark.parametrize("lang", list(LOOKS))
def test_whole_loop_through_the_pages(
    lang: str, browser: Any, server: Any, settings: Settings, smtp_sink: SmtpSink
) -> None:
    run = Loop(browser, server.base_url, lang, settings, smtp_sink)
    _ = run._
    when = (dt.datetime.now(BEIJING) + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    start = dt.datetime.now(BEIJING).date().isoformat()  # a hire is marked on or after the first working day

    # -- the school prints the invitation sheet of the roster class
    staff = run.person()
    run.sign_in(staff, STAFF)
    staff.goto(f"{run.base}/web/activation-codes")
    staff.locator("#class_name").select_option("数控1班")
    staff.get_by_role("button", name=_("Make the invitation sheet")).click()
    slip = staff.locator("li.slip", has_text="陈名册")
    slip.wait_for()
    assert "2026001" in slip.inner_text()
    run.check(staff, "01-invitation-sheet")
    link = slip.locator(".link").inner_text().strip()

    # -- the graduate activates the account of the roster row with the code
    graduate = run.person()
    graduate.goto(link)
    assert graduate.locator("#code").input_value()
    graduate.locator("#email").fill(GRADUATE)
    graduate.locator("#password").fill(PASSWORD)
    graduate.locator("#password_confirm").fill(PASSWORD)
    run.check(graduate, "02-activate")
    graduate.get_by_role("button", name=_("Activate my account")).click()
    run.see(
        graduate,
        _("Sign-up received"),
        _("Your account is bound to your school's roster record: your school's details are already in your profile."),
    )
    run.sign_in(graduate, GRADUATE)

    # -- onboarding: the profile (roster facts read-only; skills from the suggestions, places, pay, job types)
    graduate.goto(f"{run.base}/web/profile")
    facts = graduate.locator("#roster-facts").inner_text()
    assert "广州市机电技师学校" in facts and "2026001" in facts
    graduate.locator("#skills-new").press_sequentially("数控车", delay=30)
    suggestion = graduate.locator("#skills-suggestions button.suggestion").first
    suggestion.wait_for()
    skill = suggestion.inner_text().lstrip("+ ").split(" (")[0].split("（")[0].strip()
    suggestion.click()
    graduate.locator(f'#chips-skills input[value="{skill}"]').wait_for()
    graduate.locator("#desired_titles").fill("数控车工")
    graduate.locator("#preferred_locations").fill("广州市")
    graduate.locator("#min_salary_monthly").fill("4500")
    graduate.locator("#job-type-FULL_TIME").check()
    graduate.locator("#summary").fill("数控车床操作熟练，能看懂零件图。")
    graduate.get_by_role("button", name=_("Save profile")).click()
    graduate.wait_for_url("**/web/profile?saved=1")
    run.see(graduate, _("Your profile was saved. Your recommendations now use it."))
    assert graduate.locator(f'#chips-skills input[value="{skill}"]').is_checked()
    run.check(graduate, "03-profile")

    # -- the graduate saves a search (a job alert: new matching postings come in a daily digest)
    graduate.goto(f"{run.base}/web/jobs?q=数控&min_salary=4500")
    graduate.locator("#alert-name").fill("数控 广州")
    graduate.get_by_role("button", name=_("Save this search")).click()
    graduate.wait_for_url("**/web/job-alerts?saved=created*")
    run.see(graduate, _("Search saved. New jobs that match it will be sent to you every day."), "数控 广州")
    run.check(graduate, "03b-job-alert")

    # -- an employer signs up; the school approves it from the queue; it publishes a posting
    employer = run.person()
    employer.goto(f"{run.base}/web/sign-up/employer")
    employer.locator("#company").fill(COMPANY)
    employer.locator("#uscc").fill("91440101MA59UC8X38")
    employer.locator("#region_code").select_option(value="440100")
    employer.locator("#contact_name").fill("张经理")
    employer.locator("#email").fill(EMPLOYER)
    employer.locator("#password").fill(PASSWORD)
    employer.locator("#password_confirm").fill(PASSWORD)
    run.check(employer, "04-employer-sign-up")
    employer.get_by_role("button", name=_("Register the company")).click()
    run.see(employer, _("Sign-up received"))
    run.sign_in(employer, EMPLOYER)
    employer.goto(f"{run.base}/web/verification")
    run.see(employer, _("Waiting for approval"))

    staff.goto(f"{run.base}/web/employers/queue")
    card = staff.locator("li.card", has_text=COMPANY)
    assert "张经理" in card.inner_text()
    run.check(staff, "05-employer-queue")
    card.get_by_role("button", name=_("Approve"), exact=True).click()
    run.see(staff, _("Approved. The company's members have been notified."))

    employer.goto(f"{run.base}/web/verification")
    run.see(employer, _("Approved"))
    employer.goto(f"{run.base}/web/postings/new")
    employer.locator("#title").fill(TITLE)
    employer.locator("#salary_min").fill("5000")
    employer.locator("#salary_max").fill("7000")
    employer.locator("#region_code").select_option(value="440106")
    employer.locator("#required_skills-new").press_sequentially("数控车", delay=30)
    pick = employer.locator("#required_skills-suggestions button.suggestion", has_text=skill).first
    pick.click()
    employer.locator(f'#chips-required_skills input[value="{skill}"]').wait_for()
    run.check(employer, "06-posting-form")
    employer.locator("#save-posting").click()
    employer.wait_for_url("**/web/postings?saved=*")
    run.see(employer, _("The posting was saved."))
    assert employer.locator("li.posting", has_text=TITLE).count() == 1

    # -- the graduate finds it among the recommendations and applies with the résumé and a note
    graduate.goto(f"{run.base}/web/jobs")
    job = graduate.locator("li.job", has_text=TITLE)
    job.wait_for()
    assert COMPANY in job.inner_text()
    run.check(graduate, "07-jobs")
    job.get_by_role("link", name=TITLE).click()
    graduate.locator("#cover-letter").fill("我在学校数控实训中心实习过一年。")
    graduate.locator('input[name="share_contact"]').check()
    graduate.locator("#apply-button").click()
    run.see(graduate, _("You applied. Status:"), within="#apply-box")
    run.check(graduate, "08-applied")

    # -- the employer reads the résumé, writes a message and proposes an interview
    employer.goto(f"{run.base}/web/postings")
    employer.locator("li.posting", has_text=TITLE).get_by_role("link", name=f"{_('Applications')} (1)").click()
    employer.get_by_role("link", name="陈名册").click()
    employer.wait_for_url("**/web/applicants/*")
    resume = employer.locator("main").inner_text()
    assert skill in resume and "广州市机电技师学校" in resume and "我在学校数控实训中心实习过一年。" in resume
    assert GRADUATE in resume  # the graduate agreed to share the contact details
    run.check(employer, "09-applicant")
    employer.get_by_role("link", name=_("Messages")).first.click()
    employer.wait_for_url("**/messages")
    employer.locator("#body").fill("您好，请来厂里面试。")
    employer.get_by_role("button", name=_("Send")).click()
    employer.wait_for_url("**/messages#latest")
    assert employer.locator(".msg.mine .body").inner_text() == "您好，请来厂里面试。"
    run.check(employer, "10-thread")
    application_id = employer.url.split("/applications/")[1].split("/")[0]
    employer.goto(f"{run.base}/web/applications/{application_id}/interviews/new")
    employer.locator("#slot_1").fill(when.strftime("%Y-%m-%dT%H:%M"))
    employer.locator("#place").fill("广州市天河区科韵路16号人力资源部")
    run.check(employer, "11-propose")
    employer.get_by_role("button", name=_("Send the proposal")).click()
    employer.wait_for_url("**/web/interviews/*")
    run.see(employer, _("Interview for “%(title)s”") % {"title": TITLE}, "广州市天河区科韵路16号人力资源部")

    # -- the graduate: the invitation in the inbox and by e-mail; accepts the time
    title_line = ("面试邀请：" if lang == "zh_Hans" else "Interview invitation: ") + TITLE
    graduate.goto(f"{run.base}/web/notifications")
    run.see(graduate, title_line)
    run.check(graduate, "12-inbox")
    mail = run.mail_to(GRADUATE, title_line)
    assert COMPANY in mail.get_body(("plain",)).get_content()
    graduate.locator("li.notification", has_text=title_line).get_by_role("link").first.click()
    graduate.wait_for_url("**/web/interviews/*")
    graduate.get_by_role("button", name=_("Accept this time")).click()
    graduate.wait_for_url("**saved=accept")
    run.see(graduate, _("You accepted the interview. The employer has been told."))
    run.check(graduate, "13-interview-accepted")
    answered = ("面试回复：" if lang == "zh_Hans" else "Interview answer: ") + TITLE
    employer.goto(f"{run.base}/web/notifications")
    run.see(employer, answered)
    run.mail_to(EMPLOYER, answered)

    # -- the employer hires with the first working day and the agreed pay
    employer.goto(f"{run.base}/web/applications/{application_id}/hire")
    run.see(employer, _("Today or earlier: mark the hire once the graduate has started work."))
    employer.locator("#start_date").fill(start)
    employer.locator("#monthly_salary").fill("5800")
    employer.locator("#contract_type").select_option("labour_contract")
    employer.locator('input[name="social_insurance"][value="yes"]').check()
    run.check(employer, "14-hire")
    employer.get_by_role("button", name=_("Mark as hired")).click()
    employer.wait_for_url("**/applications")
    employer.locator("tr", has_text="陈名册").locator(".status", has_text=_("Hired")).wait_for()

    # -- the graduate sees the hire and confirms the destination
    graduate.goto(f"{run.base}/web/applications")
    graduate.locator("main tr", has_text=TITLE).locator(".status", has_text=_("Hired")).wait_for()
    graduate.goto(f"{run.base}/web/destination")
    run.see(graduate, COMPANY)
    graduate.get_by_role("button", name=_("This is right")).first.click()
    graduate.wait_for_url("**saved=confirm")
    run.see(graduate, _("Thank you: you confirmed the record."), _("confirmed by you"))
    run.check(graduate, "15-destination-confirmed")

    # -- the school sees it: the follow-up list and the dashboard
    staff.goto(f"{run.base}/web/follow-up?cohort=2026")
    row = staff.locator("#follow-up tr", has_text="陈名册")
    row.wait_for()
    destination = row.locator("td.category .destination").inner_text()
    assert destination == f"{_('Employed (labour contract)')} · {COMPANY}", destination
    provenance = row.locator("td.category .provenance").inner_text()
    assert _("Recorded by: %(who)s") % {"who": _("Employer")} in provenance, provenance
    assert _("Confirmed by the graduate") in provenance, provenance
    run.check(staff, "16-follow-up")
    staff.goto(f"{run.base}/web/dashboard")
    latest = staff.locator("#latest-destinations").inner_text()
    assert "陈名册" in latest and COMPANY in latest
    run.check(staff, "17-dashboard")
    for page in (staff, graduate, employer):
        page.context.close()
