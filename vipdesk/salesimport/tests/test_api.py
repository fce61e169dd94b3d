"""POST /api/v1/sales/batches/ and the status resource (issue 17 §2); the queue runs inline under pytest."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vipdesk.api.tests.conftest import Api, _key
from vipdesk.accounts.roles import Role
from vipdesk.sales.models import Sale
from vipdesk.salesimport.models import SalesBatch
from vipdesk.salesimport.reading import read_receipts

from .conftest import sales_csv

pytestmark = pytest.mark.django_db
URL = "/api/v1/sales/batches/"


def upload(api, content: str, name="sales.csv", **fields):
    return api.client.post(URL, {"file": SimpleUploadedFile(name, content.encode()), **fields}, format="multipart")


def test_file_is_queued_processed_and_reported(shoppers, hq_api, django_capture_on_commit_callbacks):
    members, cards = shoppers
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(hq_api, sales_csv(10, members, cards, bad_row=3), commit="true")
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    batch = hq_api.get(f"{URL}{answer.json()['id']}/").json()
    assert (batch["status"], batch["posted"], batch["failed"], batch["total_rows"]) == ("completed", 10, 1, 31)
    assert batch["report"][0]["field"] == "单价" and Sale.objects.count() == 10
    assert SalesBatch.objects.get().payload == b""  # the file is not kept once processed


def test_json_lines_body_dry_run_then_commit(shoppers, django_capture_on_commit_callbacks):
    members, cards = shoppers
    desk = Api(_key("Desk A", store_code="SA01", role=Role.STORE_MANAGER))
    receipts, _rows, _m = read_receipts(data=sales_csv(5, members, cards).encode(), filename="s.csv", fmt="csv")
    body = "\n".join(json.dumps(r.data, ensure_ascii=False) for r in receipts) + "\nnot json\n"
    with django_capture_on_commit_callbacks(execute=True):
        dry = desk.client.post(URL, body.encode(), content_type="application/x-ndjson")
    assert dry.status_code == 202, dry.content
    result = desk.get(f"{URL}{dry.json()['id']}/").json()
    assert (result["status"], result["posted"], result["failed"]) == ("dry_run", 5, 1) and not Sale.objects.exists()
    assert result["report"][0]["row"] == 6
    with django_capture_on_commit_callbacks(execute=True):
        done = desk.client.post(URL + "?commit=true", body.encode(), content_type="application/x-ndjson")
    assert desk.get(f"{URL}{done.json()['id']}/").json()["posted"] == 5 and Sale.objects.count() == 5


def test_refusals(shoppers, hq_api, till_a, django_capture_on_commit_callbacks):
    assert upload(till_a, "x").status_code == 403  # a till posts receipts one by one, not files
    assert upload(hq_api, "门店\nSA01\n", name="a.txt").status_code == 415
    assert hq_api.client.post(URL, {"file": SimpleUploadedFile("a.csv", b"x"), "colour": "red"}, format="multipart").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(hq_api, "门店,数量\nSA01,1\n")
    failed = hq_api.get(f"{URL}{answer.json()['id']}/").json()
    assert failed["status"] == "failed" and "小票号" in failed["error"]
    other = Api(_key("Desk A", store_code="SA01", role=Role.STORE_MANAGER))
    assert other.get(f"{URL}{answer.json()['id']}/").status_code == 404  # another sender's batch
