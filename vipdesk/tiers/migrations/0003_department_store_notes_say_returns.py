"""The department-store preset's notes said 普卡 is never taken back although a return that undoes
the purchase it was issued on takes it back (ReturnPolicy.REVOKE): installed programmes whose notes
are still the preset's get the corrected wording. Notes HQ has edited are left alone."""
from django.db import migrations

OLD = ("升级标准取自种子方案(000 篇6)。保级由本系统选定:升级满一周年时按升级标准复核,"
       "不达标每次最多降一级;普卡一经办理不收回。")
NEW = ("升级标准取自商场VIP方案的升级进程(凭购物小票办理普卡)。保级由本系统选定:升级满一周年时按升级标准复核,"
       "不达标每次最多降一级;普卡不参加保级复核。退货时,若办理或升级所凭的消费被退回后不再达标,"
       "该等级随之收回(普卡亦然,因其凭小票办理)。")


def forwards(apps, schema_editor):
    Programme = apps.get_model("tiers", "Programme")
    for programme in Programme.objects.filter(notes__startswith=OLD):
        programme.notes = NEW + programme.notes[len(OLD):]
        programme.save(update_fields=["notes"])


class Migration(migrations.Migration):
    dependencies = [("tiers", "0002_benefit_usage_reference")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
