# DormantCard moved here from the sales app (issue 14); the table sales_dormantcard is the same one.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0002_name_trigram_index"), ("sales", "0003_daily_jobs_and_dormancy_moved")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DormantCard",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("since", models.DateField(verbose_name="dormant since")),
                        ("last_purchase_on", models.DateField(blank=True, null=True, verbose_name="last purchase")),
                        ("card", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="dormancy",
                                                      to="members.card")),
                    ],
                    options={"db_table": "sales_dormantcard", "verbose_name": "dormant card",
                             "verbose_name_plural": "dormant cards"},
                ),
            ],
            database_operations=[],
        ),
    ]
