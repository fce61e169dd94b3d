"""Fill vipdesk/locale/zh_Hans django.po from scripts/zh_terms.py (needs `pip install polib`)."""
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
from zh_terms import ZH  # noqa: E402

po_path = Path(__file__).resolve().parent.parent / "vipdesk/locale/zh_Hans/LC_MESSAGES/django.po"
po = polib.pofile(str(po_path))
missing = []
for entry in po:
    if entry.obsolete:
        continue
    if entry.msgid in ZH:
        entry.msgstr = ZH[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    elif not entry.msgstr:
        missing.append(entry.msgid)
po.metadata.update({"Language": "zh_Hans", "Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"})
po.save()
print(f"{len(po)} entries, {len(missing)} without translation")
for m in missing:
    print("  MISSING:", m)
sys.exit(1 if missing else 0)
