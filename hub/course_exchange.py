"""nbgrader's default exchange, with submissions readable by the instructor only.

Stock nbgrader makes every submitted file world-readable (0644) and hides it only behind an
unlistable inbound folder and a random suffix in its name: another learner who learns the path can
read it, including the submission secret that names the released feedback. nbgrader already makes
the course's `inbound/` folder setgid and owned by the instructor's group, so every submission is
created in that group; this submit step then closes the permissions to owner + group (files 0640,
folders 0770, nothing for others). The instructor (collect) reads through the group; other learners
are not in it. Everything else is nbgrader's default exchange, unchanged.

One subtlety: a learner who is not in the instructor's group cannot keep a folder setgid once they
chmod it, and `shutil.copytree` copies the source folder's mode onto the new one, after which
nbgrader's timestamp.txt and submission_secret.txt would be created in the learner's own group.
So the submission is copied into the exchange without copying folder modes (nbgrader's own
filtering, size limits and ignore patterns still apply through a staging copy).
"""

import os
import shutil
import stat
import tempfile

from nbgrader.exchange.default.submit import ExchangeSubmit

FILES = stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP
FOLDERS = stat.S_IRWXU | stat.S_IRWXG


class PrivateSubmit(ExchangeSubmit):
    def do_copy(self, src, dest, log=None):
        if os.path.dirname(os.path.abspath(dest)) != os.path.abspath(self.inbound_path):
            return super().do_copy(src, dest, log)  # the learner's own cache
        with tempfile.TemporaryDirectory() as scratch:
            staged = os.path.join(scratch, "submission")
            super().do_copy(src, staged, log)
            for folder, _, filenames in os.walk(staged):
                target = os.path.join(dest, os.path.relpath(folder, staged))
                os.makedirs(target, exist_ok=True)  # inherits inbound's group and setgid bit
                for name in filenames:
                    shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))

    def copy_files(self):
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, _, filenames in os.walk(submission):
            for name in filenames:
                path = os.path.join(folder, name)
                os.chmod(path, FILES)
            os.chmod(folder, FOLDERS)
