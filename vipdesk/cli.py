"""The `vipdesk` console script: django-admin with the project's settings.

A command never answers a user with a traceback: an error Django's commands do not turn into a
CommandError themselves (a database not set up yet, a server that does not answer, a bug) is said in
one line on stderr with a non-zero exit. `--traceback` (or VIPDESK_DEBUG=1) still shows the traceback
for whoever is debugging.
"""
import os
import sys

EXIT_ERROR = 1


def _database_hint(exc: BaseException) -> str | None:
    """One line for the database errors a user can act on, in Chinese and English."""
    text = str(exc).lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return ("数据库尚未建立或版本较旧，请先运行 `vipdesk migrate`。"
                " The database is not set up or not upgraded yet: run `vipdesk migrate` first.")
    if "could not connect" in text or "connection refused" in text or "unable to open database" in text:
        return ("无法连接数据库，请检查 DATABASE_URL 或数据目录。"
                " Cannot reach the database: check DATABASE_URL or the data directory.")
    return None


def one_line(exc: BaseException) -> str:
    from django.db import DatabaseError

    if isinstance(exc, DatabaseError):
        hint = _database_hint(exc)
        if hint:
            return f"错误 Error: {hint}"
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return (f"错误 Error: {detail}（{type(exc).__name__}；加 --traceback 可看详情 / add --traceback for details）")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    debugging = "--traceback" in argv or os.environ.get("VIPDESK_DEBUG", "").lower() in ("1", "true", "yes")
    try:
        execute_from_command_line(argv)
    except KeyboardInterrupt:
        sys.stderr.write("已中断 Interrupted.\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 — the one place that turns any failure into one line
        if debugging:
            raise
        sys.stderr.write(one_line(exc) + "\n")
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
