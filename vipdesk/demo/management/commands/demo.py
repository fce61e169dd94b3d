"""`vipdesk demo`: migrate, collect static files, load the demo chain once, print the logins, serve."""
from __future__ import annotations

import errno
import time
import unicodedata

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.demo.chain import DEMO_PASSWORD, STORE_CODES, demo_present
from vipdesk.demo.load import DEFAULT_SEED, demo_load
from vipdesk.demo.portal import DEMO_MOBILE
from vipdesk.scheduler.daily import daily_jobs_at
from vipdesk.scheduler.embedded import describe, start_embedded_consumer


# Seconds per demo member measured on 2 shared cores with PostgreSQL (1,000 members: about 4 minutes,
# of which the daily jobs of each of the 550 days take a fixed part): said before the load starts.
SECONDS_PER_MEMBER = 0.2
FIXED_SECONDS = 40


def load_estimate(members: int) -> tuple[str, str]:
    """("约需 4 分钟", "about 4 minutes"): what the load takes, from the measured rate, rounded up."""
    seconds = FIXED_SECONDS + SECONDS_PER_MEMBER * members
    minutes = max(1, -(-int(seconds) // 60))
    return f"约需 {minutes} 分钟", f"about {minutes} minute{'s' if minutes > 1 else ''}"


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses on the local network (no packet is sent: a UDP socket is only
    pointed at a private address so the system picks the outgoing interface)."""
    import socket

    found = []
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 1))
                ip = s.getsockname()[0]
        except OSError:
            continue
        if ip and not ip.startswith("127.") and ip != "0.0.0.0" and ip not in found:
            found.append(ip)
    return found


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def role_label(role: str) -> str:
    with translation.override("zh-hans"):
        zh = str(Role(role).label)
    with translation.override("en"):
        en = str(Role(role).label)
    return zh if zh == en else f"{zh} {en}"


def demo_logins() -> list[list[str]]:
    staff = (Staff.objects.filter(stores__code__in=STORE_CODES) | Staff.objects.filter(username__in=("hq", "hq2", "auditor")))
    order = {role: i for i, role in enumerate(
        (Role.HQ_ADMIN, Role.AUDITOR, Role.STORE_MANAGER, Role.GUIDE, Role.CASHIER, Role.ACCOUNT_MANAGER))}
    rows = []
    users = staff.distinct().prefetch_related("stores")
    for user in sorted(users, key=lambda u: (min((s.code for s in u.stores.all()), default=""), order[u.role], u.username)):
        stores = "、".join(f"{s.code} {s.name}" for s in user.stores.all()) or "总部 HQ"
        rows.append([user.username, DEMO_PASSWORD, role_label(user.role), user.display_name, stores])
    return rows


class Command(BaseCommand):
    help = "Migrate, load the demo chain 示例百货 once, print the logins and serve on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="stop after loading (do not start the web server)")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to serve on (default 127.0.0.1:8000)")
        parser.add_argument("--members", type=int, default=1000, help="number of demo members on first load (default 1000)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed: the same seed gives the same demo")

    def handle(self, *args, no_serve: bool, addr: str, members: int, seed: int, **opts):
        if settings.PRODUCTION:
            raise CommandError("演示数据不能装入生产环境。Demo data is refused when VIPDESK_ENV=production.")
        if members < 0:
            raise CommandError("--members must be 0 or more.")
        out = self.stdout.write
        out(f"数据目录 Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        started = time.monotonic()
        stats = None
        if demo_present():
            out("演示数据已存在，未重复装入。The demo data is already loaded; nothing added.")
        else:
            estimate = load_estimate(members)
            out(f"首次装入演示数据：{members} 名会员及约一年半的消费记录，逐日过账，{estimate[0]}……")
            out(f"Loading the demo once: {members} members and about 18 months of purchases, posted day by day; {estimate[1]}…")
            shown: dict = {}

            def progress(day, so_far):
                # Each line is that month's own figures; the running total follows in brackets.
                month = {k: so_far[k] - shown.get(k, 0) for k in ("sales", "redemptions", "returns", "topups", "coupons_used")}
                shown.update({k: so_far[k] for k in month})
                out(f"  {day:%Y-%m}  本月 销售 {month['sales']:,} 笔、兑换 {month['redemptions']:,}、退货 {month['returns']:,}、"
                    f"充值 {month['topups']:,}、用券 {month['coupons_used']:,}（累计销售 {so_far['sales']:,} 笔）  "
                    f"this month: {month['sales']:,} sales, {month['redemptions']:,} redemptions, {month['returns']:,} returns, "
                    f"{month['topups']:,} top-ups, {month['coupons_used']:,} coupons used ({time.monotonic() - started:.0f} s)")
                self.stdout.flush()

            stats = demo_load(members=members, seed=seed, progress=progress)
        if stats is not None:
            took = time.monotonic() - started
            out(f"已装入演示连锁「示例百货」：{stats['staff']} 名员工，{stats['members']:,} 名会员，{stats['sales']:,} 笔销售（{took:.1f} 秒）。")
            out(f"Loaded the demo chain: {stats['staff']} staff, {stats['members']:,} members, {stats['sales']:,} sales in {took:.1f} s.")
        greeter = self.arrivals_duty()
        self.banner(addr)
        if greeter is not None:
            self.stdout.write(f"到店识别 Arrivals: 用 {greeter.username} 登录（今天已排值班），在「客户关怀 → 到店识别」输入演示会员手机号 "
                              f"{DEMO_MOBILE} 登记到店，或由门店密钥 POST /api/v1/arrivals/，页面右下角即时弹出提醒。")
            self.stdout.write(f"  Sign in as {greeter.username} (on duty today), report the demo member's mobile {DEMO_MOBILE} at "
                              "Customer care → Arrivals (or POST /api/v1/arrivals/ with a store key): the notice appears at once.")
            self.stdout.write("")
        if not no_serve:
            self.serve(addr)

    def allow_lan(self, addr: str) -> list[str]:
        """The addresses a tablet on the LAN can open; each is added to ALLOWED_HOSTS for this run
        (otherwise Django answers 400). Only when serving on all interfaces or on a LAN address."""
        host, _sep, port = addr.rpartition(":")
        if host in ("0.0.0.0", "", "::"):
            hosts = lan_addresses()
        elif host not in ("127.0.0.1", "localhost"):
            hosts = [host]
        else:
            return []
        for h in hosts:
            if h not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
                settings.ALLOWED_HOSTS.append(h)
        return [f"http://{h}:{port}/" for h in hosts]

    def banner(self, addr: str) -> None:
        out = self.stdout.write
        host, _sep, port = addr.rpartition(":")
        base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '', '::') else host}:{port}"
        lan = self.allow_lan(addr)
        out("")
        out(f"控制台 Console:        {base}/")
        for url in lan:
            out(f"局域网 On the LAN:     {url}   （平板电脑、收银机用此地址 tablets and tills use this address）")
        if not lan:
            out(f"局域网内的平板要访问，请用 --addr 0.0.0.0:{port} 启动（见 docs/operations.md）。"
                f" For tablets on the LAN, start with --addr 0.0.0.0:{port} (docs/operations.md).")
        out(f"API 文档 API docs:     {base}/api/docs/")
        out(f"管理后台 Django admin: {base}/admin/   (hq / hq2)")
        out(f"会员中心 Member portal: {base}/m/   （手机浏览器打开 open it on a phone, or narrow the window）")
        out(f"  演示会员手机号 Demo member's mobile: {DEMO_MOBILE}")
        out(f"  验证码不发短信，写在本窗口的日志和 {settings.DATA_DIR / 'sms'} 里。")
        out(f"  No SMS is sent: the sign-in code appears in this window's log and in {settings.DATA_DIR / 'sms'}.")
        out("")
        out(f"演示账号（密码均为 {DEMO_PASSWORD}）Demo logins (password {DEMO_PASSWORD} for all):")
        out(table([["用户名 Username", "密码 Password", "角色 Role", "姓名 Name", "门店 Store"], *demo_logins()]))
        out("")
        out("API 密钥请用命令创建（只显示一次）。Create API keys with (shown once):")
        out("  vipdesk apikey create --name demo-hq")
        out("  vipdesk apikey create --name POS-S001-01 --store S001")
        out("")

    def serve(self, addr: str) -> None:
        """uvicorn on config.asgi (docs/decisions.md, issue 19): the live arrival notices are a
        long-lived event stream per open page, which an async server holds without a thread each."""
        import socket

        import uvicorn

        host, _sep, port = addr.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"地址 {addr} 无效，应为 主机:端口，例如 127.0.0.1:8000。 Not a host:port address: {addr}.")
        try:  # bind first, so a busy port is said plainly before anything else starts
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, int(port)))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise CommandError(f"地址 {addr} 已被占用：vipdesk 可能已在运行，或请用 --addr 127.0.0.1:8001 换一个端口。"
                               f" Address {addr} is in use: vipdesk may already be running; try --addr 127.0.0.1:8001.") from None
        from config.asgi import application

        server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning", access_log=False,
                                               timeout_graceful_shutdown=3))
        consumer = self.start_queue()
        self.stdout.write(f"正在 {addr} 上服务，按 Ctrl+C 停止。Serving on {addr}; press Ctrl+C to stop.")
        self.stdout.flush()
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        finally:
            if consumer is not None:
                consumer.shutdown()

    def arrivals_duty(self):
        """Put the demo member's owner on duty today at her home store (each run: duty is per day),
        so that an arrival of the demo member is announced to a login the banner names."""
        from vipdesk.arrivals.services import duty_set
        from vipdesk.members.models import Member

        member = Member.objects.filter(mobile=DEMO_MOBILE).select_related("owner", "home_store").first()
        if member is None:
            return None
        greeter = member.owner if member.owner is not None and member.owner.is_active else (
            Staff.objects.filter(stores=member.home_store, role=Role.GUIDE, is_active=True).order_by("username").first())
        if greeter is None or member.home_store_id not in greeter.store_ids:
            return None
        duty_set(actor=None, store=member.home_store, staff=greeter)
        return greeter

    def start_queue(self):
        """The embedded default has no other server: the task queue's consumer (the daily jobs) runs
        on threads in this process (vipdesk/scheduler/embedded.py)."""
        consumer = start_embedded_consumer()
        if consumer is None:
            self.stdout.write("任务队列为即时模式，未启动后台任务。The task queue is in immediate mode; no consumer started.")
            return None
        at = daily_jobs_at().strftime("%H:%M")
        self.stdout.write(f"每日任务：已在本进程内启动任务队列（{describe()}），每天 {at}（{settings.TIME_ZONE}）运行，启动时补跑错过的日期。")
        self.stdout.write(f"Daily jobs: in-process queue consumer started ({describe()}); runs every day at {at} "
                          f"{settings.TIME_ZONE} and catches up missed dates now.")
        return consumer
