from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_clv_model")]
    operations = [
        migrations.AlterField(
            model_name="membersnapshot", name="spend_class",
            field=models.CharField(choices=[("A", "A: top band of annual spend"), ("B", "B: second band of annual spend"),
                                            ("C", "C: third band of annual spend"), ("D", "D: lowest band of annual spend")],
                                   max_length=1, verbose_name="spend class"),
        ),
    ]
