"""The `vipdesk` command answers a user in one line, never with a traceback (issue 13, item 3)."""
import os
import subprocess
import sys

import pytest

from vipdesk import cli


def run_vipdesk(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VIPDESK_QUEUE", "REDIS_URL")}
    env["VIPDESK_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run([sys.executable, "-m", "vipdesk.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_init_on_a_fresh_data_directory_migrates_first(tmp_path):
    done = run_vipdesk(tmp_path, "init", "--preset", "department-store")
    assert done.returncode == 0, done.stderr
    assert "已建立方案" in done.stdout and "Traceback" not in done.stderr
    again = run_vipdesk(tmp_path, "init", "--preset", "department-store")
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0 and "init 只用于空数据库" in again.stderr


def test_a_command_on_a_database_not_set_up_says_so_in_one_line(tmp_path):
    done = run_vipdesk(tmp_path, "run-jobs", "--date", "2026-03-01")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "vipdesk migrate" in lines[0], done.stderr


def test_an_unexpected_error_is_one_line_and_traceback_only_on_request(capsys, monkeypatch):
    monkeypatch.delenv("VIPDESK_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["vipdesk", "shell", "-c", "raise RuntimeError('磁盘已满')"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.strip() == "错误 Error: 磁盘已满（RuntimeError；加 --traceback 可看详情 / add --traceback for details）"
    with pytest.raises(RuntimeError):
        cli.main(["vipdesk", "shell", "--traceback", "-c", "raise RuntimeError('x')"])
