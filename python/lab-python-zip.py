# SPDX-License-Identifier: LGPL-2.1-or-later
"""Build the standard-library subset the lab's Python needs, as a zip.

    lab-python-zip.py OUT.zip

Run by the interpreter that goes into the lab VM (Debian's python3.X,
tests/lab/meson.build).  It starts that interpreter as the VM will (-S,
C locale), imports what python/lab-peersec.py imports, and puts every
pure-Python module that got loaded into OUT.zip as compiled .pyc files:
the VM needs no /usr/lib/python3.X.  Fails when one of them is an
extension module that is not built in (it could not load from a zip).
"""
import importlib.util
import marshal
import os
import subprocess
import sys
import zipfile

IMPORTS = 'import errno, os, socket, sys, encodings.utf_8, encodings.ascii, encodings.latin_1'
# json and _json (an extension) are optional: json falls back to Python.

probe = ('import sys\n' + IMPORTS + '\n'
         'for m in list(sys.modules.values()):\n'
         '    f = getattr(m, "__file__", None)\n'
         '    if f: print(m.__name__, f)\n')


def main():
    out = sys.argv[1]
    env = {'LC_ALL': 'C', 'PATH': '/usr/bin:/bin'}
    listing = subprocess.run([sys.executable, '-S', '-E', '-c', probe],
                             env=env, check=True, capture_output=True,
                             text=True).stdout
    stdlib = os.path.dirname(os.__file__)
    entries = set()
    for line in listing.splitlines():
        name, path = line.split(' ', 1)
        if not path.endswith('.py') or not path.startswith(stdlib + '/'):
            sys.exit(f'lab-python-zip: {name} is {path}, not pure Python '
                     f'from {stdlib}')
        entries.add((os.path.relpath(path, stdlib) + 'c', path))
    tmp = out + '.tmp'
    with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as z:
        for arc, path in sorted(entries):
            with open(path, 'rb') as f:
                code = compile(f.read(), path, 'exec', dont_inherit=True)
            # an unchecked hash-based .pyc: no source to compare with
            header = importlib.util.MAGIC_NUMBER + (1).to_bytes(4, 'little')
            z.writestr(arc, header + bytes(8) + marshal.dumps(code))
    os.replace(tmp, out)


if __name__ == '__main__':
    main()
