"""Writes to organisation accounts (R1.6): create, contacts, agreements. The console, the API and
the XLSX import (importing.py) all come through here."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.members.models import Member

from .models import Agreement, Company, CompanyContact, ContactRole

FIELDS = ("name", "uscc", "industry", "region", "manager", "deputies", "note")


def clean_uscc(value) -> str:
    """The 18-character 统一社会信用代码 with its check digit verified (python-stdnum's cn.uscc)."""
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        return uscc.validate(str(value or ""))
    except StdnumError:
        raise ValidationFailed(_("Not a valid unified social credit code (18 characters, the last a check digit)."),
                               fields={"uscc": _("Not a valid unified social credit code.")})


def _staff(username, field: str) -> Staff | None:
    if username in (None, ""):
        return None
    if isinstance(username, Staff):
        return username
    found = Staff.objects.filter(username=str(username).strip(), is_active=True).first()
    if found is None:
        raise ValidationFailed(_("No active staff member with this user name."), fields={field: _("No such staff member.")})
    return found


def _clean(data: dict) -> dict:
    errors, out = {}, {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = _("Required.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    out["name"] = name
    try:
        out["uscc"] = clean_uscc(data.get("uscc"))
    except ValidationFailed as exc:
        errors.update(exc.fields)
    for key, limit in (("industry", 60), ("region", 60), ("note", 500)):
        out[key] = str(data.get(key) or "").strip()[:limit]
    try:
        out["manager"] = _staff(data.get("manager"), "manager")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    deputies = data.get("deputies") or []
    if isinstance(deputies, str):
        deputies = [d for d in deputies.replace("，", ",").replace("、", ",").split(",") if d.strip()]
    try:
        out["deputies"] = [_staff(d, "deputies") for d in deputies]
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    return out


def company_create(*, actor, data: dict) -> Company:
    require(actor, Action.COMPANY_MANAGE)
    clean = _clean(data)
    deputies = clean.pop("deputies")
    if Company.objects.filter(uscc=clean["uscc"]).exists():
        raise Conflict(_("A company with this unified social credit code is already on file."), code="duplicate_uscc",
                       fields={"uscc": _("Already on file.")})
    if Company.objects.filter(name=clean["name"]).exists():
        raise Conflict(_("A company with this name is already on file."), code="duplicate_name", fields={"name": _("Already on file.")})
    try:
        with transaction.atomic():
            company = Company.objects.create(**clean)
            company.deputies.set(deputies)
    except IntegrityError:
        raise Conflict(_("A company with this name or code is already on file."), code="duplicate_company")
    event_record(actor=actor, verb="company.create", obj=company, payload={"uscc": company.uscc})
    return company


def company_for(actor, pk) -> Company:
    require(actor, Action.COMPANY_VIEW)
    found = Company.objects.filter(pk=pk).select_related("manager").first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("No such company."))
    return found


def _member(ref) -> Member:
    if isinstance(ref, Member):
        return ref
    ref = str(ref or "").strip()
    found = Member.objects.filter(member_no=ref).first() or (Member.objects.filter(mobile=ref).first() if ref else None)
    if found is None:
        raise ValidationFailed(_("No member with this member number or mobile."), fields={"member": _("No such member.")})
    return found


def contact_add(*, actor, company: Company, member, role: str = ContactRole.PURCHASING, primary: bool = False) -> CompanyContact:
    """A member becomes one of the company's contacts: from now on her purchases count for it."""
    require(actor, Action.COMPANY_MANAGE)
    if role not in ContactRole.values:
        raise ValidationFailed(_("Choose a role."), fields={"role": _("Choose a role.")})
    member = _member(member)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()
        taken = CompanyContact.objects.filter(member=member).select_related("company").first()
        if taken is not None:
            raise Conflict(_("This member is already a contact of %(company)s.") % {"company": taken.company.name},
                           code="contact_taken", fields={"member": _("Already a contact of another company.")})
        if primary or not company.contacts.exists():
            company.contacts.filter(primary=True).update(primary=False)
            primary = True
        contact = CompanyContact.objects.create(company=company, member=member, role=role, primary=primary)
    event_record(actor=actor, verb="company.contact_add", obj=company, payload={"member": member.pk, "role": role})
    return contact


def contact_remove(*, actor, company: Company, contact_id) -> None:
    require(actor, Action.COMPANY_MANAGE)
    deleted, _n = company.contacts.filter(pk=contact_id).delete()
    if not deleted:
        raise NotFound(_("No such contact."))
    event_record(actor=actor, verb="company.contact_remove", obj=company, payload={"contact": contact_id})


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(_("Give a date as YYYY-MM-DD."), fields={field: _("Give a date as YYYY-MM-DD.")})


def agreement_add(*, actor, company: Company, data: dict) -> Agreement:
    require(actor, Action.COMPANY_MANAGE)
    errors = {}
    number, title = str(data.get("number") or "").strip(), str(data.get("title") or "").strip()
    if not number:
        errors["number"] = _("Required.")
    if not title:
        errors["title"] = _("Required.")
    dates = {}
    for key in ("valid_from", "valid_until"):
        try:
            dates[key] = _date(data.get(key), key)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if len(dates) == 2 and dates["valid_until"] < dates["valid_from"]:
        errors["valid_until"] = _("Must not be before the start.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    if Agreement.objects.filter(number=number).exists():
        raise Conflict(_("An agreement with this number is already on file."), code="duplicate_agreement",
                       fields={"number": _("Already on file.")})
    agreement = Agreement.objects.create(company=company, number=number[:40], title=title[:100],
                                         terms=str(data.get("terms") or "")[:5000], **dates)
    event_record(actor=actor, verb="company.agreement_add", obj=company, payload={"number": number})
    return agreement


def may_manage(actor) -> bool:
    return getattr(actor, "role", None) == Role.HQ_ADMIN or getattr(actor, "is_superuser", False)
