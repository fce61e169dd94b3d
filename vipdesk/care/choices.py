"""Constant choices of care: rule kinds, task kinds and channels, the task life cycle, outcomes."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    BIRTHDAY_DISCOUNT = "birthday_discount", _("Birthday discount reminder")
    HOLIDAY = "holiday", _("Holiday")
    SEASON = "season", _("Change of season")
    MISSING_YOU = "missing_you", _("Missing you")
    AFTER_PURCHASE = "after_purchase", _("Follow-up after a purchase (1311)")
    AFTER_VISIT = "after_visit", _("After the VIP leaves")
    EVENT_NOTICE = "event_notice", _("Event notice")
    POINTS_NEAR = "points_near", _("Points near a threshold")
    POINTS_EXPIRING = "points_expiring", _("Points expiring")
    TIER_REVIEW = "tier_review", _("Level about to change")
    TIER_CHANGED = "tier_changed", _("Level changed")
    DORMANT = "dormant", _("Dormant card")
    WEEKLY_GREETING = "weekly_greeting", _("Weekly greeting")


# Greetings carry no advertising (seed 000 篇2 三.1: 避忌在信息中提及店铺在节日有何活动 / 新品上市).
NO_ADVERTISING = frozenset({RuleKind.BIRTHDAY, RuleKind.HOLIDAY, RuleKind.SEASON, RuleKind.MISSING_YOU,
                            RuleKind.WEEKLY_GREETING, RuleKind.AFTER_VISIT})
# What a call of the rule is for, as the member's consent names it (R9.3): a call that sells (an
# event, a discount, rewards, winning a dormant member back) needs her marketing consent on the
# phone; the others are service calls, made unless she refused the phone for service.
MARKETING_KINDS = frozenset({RuleKind.BIRTHDAY_DISCOUNT, RuleKind.EVENT_NOTICE, RuleKind.POINTS_NEAR, RuleKind.DORMANT})
# Kinds created by an event rather than by the daily job alone.
EVENT_KINDS = frozenset({RuleKind.AFTER_VISIT})


class Audience(models.TextChoices):
    ALL = "all", _("Every member")
    VIP = "vip", _("VIP levels only")
    NON_VIP = "non_vip", _("Members below the VIP levels")


class TaskKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message")
    GIFT_PREP = "gift_prep", _("Prepare a gift")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("In person")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    INBOX = "inbox", _("Portal inbox")
    STORE = "store", _("In store")


CHANNELS_OF_KIND = {
    TaskKind.CALL: (Channel.PHONE,),
    TaskKind.VISIT: (Channel.VISIT,),
    TaskKind.MESSAGE: (Channel.SMS, Channel.EMAIL, Channel.INBOX),
    TaskKind.GIFT_PREP: (Channel.STORE,),
}
# Work a person does; messages go to the messaging outbox and are not escalated.
STAFF_KINDS = (TaskKind.CALL, TaskKind.VISIT, TaskKind.GIFT_PREP)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")
    ESCALATED = "escalated", _("Escalated")


TRANSITIONS = {
    TaskStatus.OPEN: {TaskStatus.DONE, TaskStatus.SKIPPED, TaskStatus.CANCELLED, TaskStatus.ESCALATED},
    TaskStatus.ESCALATED: {TaskStatus.DONE, TaskStatus.SKIPPED, TaskStatus.CANCELLED},
}
PENDING = (TaskStatus.OPEN, TaskStatus.ESCALATED)


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    APPOINTMENT = "appointment", _("Agreed to come to the store")
    NO_ANSWER = "no_answer", _("No answer")
    DECLINED = "declined", _("Did not want to talk")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")
    VISITED = "visited", _("Visited")
    NOT_MET = "not_met", _("Not met")
    GIFT_READY = "gift_ready", _("Gift prepared")
    GIFT_SENT = "gift_sent", _("Gift sent")


OUTCOMES_OF_KIND = {
    TaskKind.CALL: (Outcome.REACHED, Outcome.APPOINTMENT, Outcome.NO_ANSWER, Outcome.DECLINED, Outcome.WRONG_NUMBER),
    TaskKind.VISIT: (Outcome.VISITED, Outcome.APPOINTMENT, Outcome.NOT_MET),
    TaskKind.MESSAGE: (Outcome.SENT, Outcome.FAILED),
    TaskKind.GIFT_PREP: (Outcome.GIFT_READY, Outcome.GIFT_SENT),
}


class ContactKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message")
    GIFT = "gift", _("Gift")


CONTACT_OF_TASK = {TaskKind.CALL: ContactKind.CALL, TaskKind.VISIT: ContactKind.VISIT,
                   TaskKind.MESSAGE: ContactKind.MESSAGE, TaskKind.GIFT_PREP: ContactKind.GIFT}


class OwnershipReason(models.TextChoices):
    ENROLMENT = "enrolment", _("Opened the card")
    DISTRIBUTE = "distribute", _("Store book spread evenly")
    LEAVER = "leaver", _("Book of a leaver reassigned")
    MANUAL = "manual", _("Changed by hand")


class Shift(models.TextChoices):
    A = "A", _("Shift A")
    B = "B", _("Shift B")
