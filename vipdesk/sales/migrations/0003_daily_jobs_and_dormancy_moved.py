# The JobRun and DormantCard models moved to the scheduler and members apps (issue 14); their tables
# stay where they are (db_table), so this only changes Django's model state.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_covering_member_day_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobRun"), migrations.DeleteModel(name="DormantCard")],
            database_operations=[],
        ),
    ]
