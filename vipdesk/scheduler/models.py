from django.db import models


class JobRun(models.Model):
    """One row per (daily part, business date) that has run: the scheduler skips what is recorded,
    so running the same date twice changes nothing the second time. (The table kept its first name,
    sales_jobrun, from when the sales app ran the daily jobs.)"""

    job = models.CharField(max_length=40)
    date = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "sales_jobrun"
        ordering = ["-date", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "date"], name="job_run_once_per_date")]

    def __str__(self):
        return f"{self.job}@{self.date}"
