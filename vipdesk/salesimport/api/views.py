"""Sales batches over the API (docs/api.md, issue 17 §2): a POS or ERP uploads a file — or sends
JSON lines as the body — and gets 202 with the batch; the queue posts it (vipdesk/salesimport/tasks.py)
and GET /sales/batches/{id}/ says how far it is and, row by row, what was refused.

Who: HQ (keys and staff) for every store, store managers and desk keys for their own stores (each
receipt is refused by the posting's own store check otherwise). A batch is seen by HQ and by whoever
sent it; anyone else gets 404."""
from __future__ import annotations

from pathlib import PurePath

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, Role, require
from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.core.parsing import flag, row_id

from ..models import SalesBatch
from ..reading import MAX_BYTES
from ..services import batch_create
from ..tasks import process_sales_batch
from . import serializers as s

TAG = ["sales"]
JSONL = "application/x-ndjson"


class JsonLinesParser(parsers.BaseParser):
    """A body of JSON lines, kept as bytes for the queue (parsed line by line there)."""
    media_type = JSONL

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(MAX_BYTES + 1) if stream is not None else b""
        return {"_jsonl": data}


def _dict(batch: SalesBatch) -> dict:
    return s.BatchSerializer({
        "id": batch.pk, "status": batch.status, "filename": batch.filename, "format": batch.format, "dry_run": batch.dry_run,
        "all_or_nothing": batch.all_or_nothing, "total_rows": batch.total_rows, "receipts": batch.receipts,
        "posted": batch.posted, "replayed": batch.replayed, "failed": batch.failed, "error": batch.error,
        "created_at": batch.created_at, "started_at": batch.started_at, "finished_at": batch.finished_at,
        "report": batch.report}).data


def _enqueue(batch: SalesBatch) -> None:
    transaction.on_commit(lambda: process_sales_batch(batch.pk))


class BatchListView(APIView):
    parser_classes = [parsers.MultiPartParser, JsonLinesParser]

    @extend_schema(tags=TAG, summary=gettext_lazy("Send a sales file (CSV, XLSX or JSON lines); the queue posts it"),
                   request={"multipart/form-data": s.BatchInSerializer, JSONL: OpenApiTypes.BINARY},
                   parameters=[OpenApiParameter("commit", bool, description="JSON lines body: post (default: dry run)"),
                               OpenApiParameter("all_or_nothing", bool, description="JSON lines body: nothing if any is refused")],
                   responses={202: s.BatchSerializer, **error_responses(400, 413, 415)})
    def post(self, request):
        require(request.user, Action.IMPORT)
        require(request.user, Action.SELL)
        if "_jsonl" in request.data:
            extra = set(request.query_params) - {"commit", "all_or_nothing"}
            if extra:
                raise DomainError(_("Unknown parameter: %(name)s.") % {"name": ", ".join(sorted(extra))}, code="validation_error")
            data, filename, fmt, mapping = request.data["_jsonl"], "", "jsonl", None
            commit, all_or_nothing = flag(request.query_params.get("commit")), flag(request.query_params.get("all_or_nothing"))
        else:
            body = validated(s.BatchInSerializer, request)
            upload = body["file"]
            filename = upload.name or ""
            fmt = body.get("format") or PurePath(filename).suffix.lower().lstrip(".")
            if upload.size > MAX_BYTES:
                raise DomainError(_("The file is larger than %(mb)s MB. Split it into smaller files.")
                                  % {"mb": MAX_BYTES // (1024 * 1024)}, code="file_too_large", status=413)
            data, mapping = upload.read(), body.get("mapping")
            if mapping is not None and (not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values())):
                raise DomainError(_('The mapping must be an object {"file header": "field"}.'), code="validation_error",
                                  fields={"mapping": _("Must be an object of texts.")})
            commit, all_or_nothing = body.get("commit", False), body.get("all_or_nothing", False)
        if len(data) > MAX_BYTES:
            raise DomainError(_("The file is larger than %(mb)s MB. Split it into smaller files.")
                              % {"mb": MAX_BYTES // (1024 * 1024)}, code="file_too_large", status=413)
        batch = batch_create(actor=request.user, data=data, filename=filename, fmt=fmt, mapping=mapping, dry_run=not commit,
                             all_or_nothing=all_or_nothing)
        _enqueue(batch)
        return Response(_dict(batch), status=status.HTTP_202_ACCEPTED)


def _visible(user, pk) -> SalesBatch:
    batch = SalesBatch.objects.filter(pk=row_id(pk, _("No such batch."))).first()
    mine = batch is not None and (batch.api_client_id == user.pk if getattr(user, "is_api_client", False)
                                  else batch.created_by_id == user.pk)
    if batch is None or not (mine or getattr(user, "role", None) == Role.HQ_ADMIN or getattr(user, "is_superuser", False)):
        raise NotFound(_("No such batch."), code="batch_not_found")
    return batch


class BatchView(APIView):
    @extend_schema(tags=TAG, summary=gettext_lazy("A sales batch: its status, counts and row report"),
                   responses={200: s.BatchSerializer, **error_responses(404)})
    def get(self, request, pk):
        require(request.user, Action.IMPORT)
        return Response(_dict(_visible(request.user, pk)))
