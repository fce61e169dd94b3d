"""Signals of the care app for the apps beside and above it (webhooks), sent inside the writer's
transaction.

`care_task_created(task)`: a care task was just created, one at a time (by hand, or a "left the
store" task). `care_tasks_inserted(rule, created_at)`: a rule's set-based run just inserted tasks;
they are the rule's tasks with that `created_at` — or, when `ids` is given (a run over many dates and
rules, generation.generate_on_days), the tasks of these ids, in that order.
"""
from django.dispatch import Signal

care_task_created = Signal()
care_tasks_inserted = Signal()
