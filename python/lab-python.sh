#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lab-python.sh ARGS...: python/lab-peersec.py in the lab VM, with Debian's
# interpreter and the standard-library subset of lab-python.zip (no
# /usr/lib/python3.X in the VM; PYTHONHOME points nowhere so that nothing
# else is looked for).
for py in /lab/bin/python3.*; do :; done
PYTHONHOME=/nonexistent PYTHONPATH=/lab/bin/lab-python.zip:/lab/bin \
	exec "$py" -S -B /lab/bin/lab-peersec.py "$@"
