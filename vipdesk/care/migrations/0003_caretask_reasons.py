from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("care", "0002_winback")]
    operations = [
        migrations.AddField(model_name="caretask", name="reasons",
                            field=models.JSONField(blank=True, default=list, verbose_name="reasons")),
    ]
