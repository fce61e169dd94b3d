from django.db import models, transaction
from django.db.models import F


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Sequence(models.Model):
    """Named gap-tolerant counters (member numbers, card numbers) taken under a row lock."""

    name = models.CharField(max_length=60, unique=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"

    @classmethod
    def next(cls, name: str, start: int = 0) -> int:
        with transaction.atomic():
            cls.objects.get_or_create(name=name, defaults={"last_value": start})
            seq = cls.objects.select_for_update().get(name=name)
            cls.objects.filter(pk=seq.pk).update(last_value=F("last_value") + 1)
            return seq.last_value + 1

    @classmethod
    def reserve(cls, name: str, count: int, start: int = 0) -> range:
        """Take `count` numbers at once, committed on their own, so a long batch (an import) does
        not hold the sequence row locked and block enrolments at the counter. Unused numbers are
        simply skipped (gaps are harmless)."""
        with transaction.atomic():
            cls.objects.get_or_create(name=name, defaults={"last_value": start})
            seq = cls.objects.select_for_update().get(name=name)
            cls.objects.filter(pk=seq.pk).update(last_value=F("last_value") + count)
            return range(seq.last_value + 1, seq.last_value + count + 1)


class AppendOnlyQuerySet(models.QuerySet):
    """Ledger rows are written once: no bulk update, no delete."""

    def update(self, **kwargs):
        raise TypeError(f"the {self.model.ledger} ledger is append-only")

    def delete(self):
        raise TypeError(f"the {self.model.ledger} ledger is append-only")


class AppendOnlyModel(models.Model):
    """Base of ledger entries (points, stored value): inserted once, never changed or deleted, so
    every balance can be recomputed from them. Subclasses name their `ledger` for the errors."""

    ledger = "append-only"
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"the {self.ledger} ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"the {self.ledger} ledger is append-only")


def locked_row(model, *, defaults: dict | None = None, **lookup):
    """The row matching `lookup`, locked FOR UPDATE until the transaction ends, created first when
    missing. Locks first because the row almost always exists (an account, a member's tier):
    get_or_create would cost a savepoint on every call; a racing creator is absorbed by its
    unique constraint."""
    found = model.objects.select_for_update().filter(**lookup).first()
    if found is not None:
        return found
    # INSERT … ON CONFLICT DO NOTHING: a racing creator's row stands, and no savepoint is needed
    # (get_or_create took four statements here: a member's first sale paid it for each account).
    model.objects.bulk_create([model(**lookup, **(defaults or {}))], ignore_conflicts=True)
    return model.objects.select_for_update().get(**lookup)


def policy_of(model):
    """The chain's one settings row of a policy model (points, wallet, pricing, feedback,
    classification), the row coded "default", created with the model's defaults the first time.
    Read without a lock: a service that changes the policy locks the row itself."""
    found = model.objects.filter(code="default").first()
    if found is None:
        found, _created = model.objects.get_or_create(code="default")
    return found


class ConfigVersion(models.Model):
    """One row per configuration group (tiers, points, coupons, pricing, care, wallet): a random
    number that database triggers on the group's tables change on every write (core.confcache)."""

    name = models.CharField(max_length=30, primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        db_table = "core_configversion"
