# JobRun moved here from the sales app (issue 14); the table sales_jobrun is the same one.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("sales", "0003_daily_jobs_and_dormancy_moved")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("job", models.CharField(max_length=40)),
                        ("date", models.DateField()),
                        ("started_at", models.DateTimeField(auto_now_add=True)),
                        ("result", models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        "db_table": "sales_jobrun",
                        "ordering": ["-date", "job"],
                        "constraints": [models.UniqueConstraint(fields=("job", "date"), name="job_run_once_per_date")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
