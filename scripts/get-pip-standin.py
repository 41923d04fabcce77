# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the get-pip.py that `ansible-test --venv` downloads from ci-files.testing.ansible.com.

That host is not reachable from every network (it is not from our CI), while PyPI is. ansible-test runs
the cached script as `get-pip.py [pip options] pip==X ...` inside a virtualenv made without pip: this
does the same with the interpreter's bundled ensurepip, then installs the requested packages from the
package index. scripts/sanity.sh puts it in ansible-test's cache when the real script is missing.
"""
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + args)
