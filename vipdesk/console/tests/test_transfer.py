"""Import (upload → mapping → dry run → import) and export from the console."""
import pytest
from django.urls import reverse

from vipdesk.audit.models import PiiAccess
from vipdesk.members.models import Member

pytestmark = pytest.mark.django_db


def _csv(rows):
    return ("\n".join(rows) + "\n").encode("utf-8")


def _upload(client, data, name="members.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("console:member_import"), {"step": "upload", "file": SimpleUploadedFile(name, data)})


def test_import_dry_run_reports_rows_then_import_writes(login, manager_a, store_a):
    client = login(manager_a)
    assert _upload(client, _csv(["姓名,手机号,爱好", "王芳,13911112222,跑步", "李娜,12345,读书"])).status_code == 302
    page = client.get(reverse("console:member_import")).content.decode()
    assert "手机号" in page and 'name="col_0"' in page
    response = client.post(reverse("console:member_import"), {"step": "dry_run", "col_0": "name", "col_1": "mobile", "col_2": "hobbies"})
    report = response.context["job"].report
    assert [line["row"] for line in report] == [3]
    assert 'id="import-report"' in response.content.decode()
    assert Member.objects.count() == 0
    # All or nothing: the bad row stops the whole import.
    response = client.post(reverse("console:member_import"), {"step": "import", "col_0": "name", "col_1": "mobile", "col_2": "hobbies"})
    assert response.context["job"].status == "rejected" and Member.objects.count() == 0


def test_clean_file_imports_and_clears_the_session(login, manager_a, store_a):
    client = login(manager_a)
    _upload(client, _csv(["姓名,手机号", "王芳,13911112222", "李娜,13911113333"]))
    response = client.post(reverse("console:member_import"), {"step": "import", "col_0": "name", "col_1": "mobile"})
    assert response.context["job"].imported_rows == 2
    assert set(Member.objects.values_list("home_store", flat=True)) == {store_a.pk}
    assert "console_import" not in client.session


def test_upload_refuses_other_formats(login, manager_a):
    response = _upload(login(manager_a), b"hello", name="members.txt")
    assert response.status_code == 200 and response.context["upload_form"].errors


def test_manager_export_is_masked_and_recorded(login, manager_a, member_a, member_b):
    client = login(manager_a)
    form_page = client.get(reverse("console:member_export")).content.decode()
    assert 'name="full"' not in form_page
    response = client.post(reverse("console:member_export"), {"fmt": "csv", "full": "on"})
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "138****8000" in body and "13812348000" not in body and "5555" not in body
    assert PiiAccess.objects.get().kind == PiiAccess.Kind.EXPORT_MASKED


def test_hq_may_export_full(login, hq, member_a):
    client = login(hq)
    assert 'name="full"' in client.get(reverse("console:member_export")).content.decode()
    response = client.post(reverse("console:member_export"), {"fmt": "xlsx", "full": "on"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert PiiAccess.objects.get().kind == PiiAccess.Kind.EXPORT_FULL
