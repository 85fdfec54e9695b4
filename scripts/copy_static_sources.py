#!/usr/bin/env python3
"""Copy the node_modules folders that STATICFILES_DIRS serves into DEST (used by the Dockerfile).

    DJANGO_SETTINGS_MODULE=... python scripts/copy_static_sources.py DEST

The runtime image needs only those folders (a few MB, against 200+ MB for all of
node_modules): collectstatic has already copied their files, and keeping the source folders
lets `manage.py check` run without a staticfiles.W004 warning. Reading the list from settings
means a package added to STATICFILES_DIRS reaches the image without editing the Dockerfile.
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings


def main(dest: Path) -> int:
    copied = 0
    for entry in settings.STATICFILES_DIRS:
        source = Path(entry[1] if isinstance(entry, tuple | list) else entry)
        if Path(settings.NODE_MODULES) not in source.parents:
            continue
        if not source.is_dir():
            print(f"missing {source}: run npm ci first", file=sys.stderr)
            return 1
        target = dest / source.relative_to(settings.BASE_DIR)
        shutil.copytree(source, target, dirs_exist_ok=True)
        print(f"{source.relative_to(settings.BASE_DIR)} -> {target}")
        copied += 1
    if not copied:
        # Still create DEST/node_modules so `COPY --from=... /export/node_modules` cannot fail.
        (dest / "node_modules").mkdir(parents=True, exist_ok=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
