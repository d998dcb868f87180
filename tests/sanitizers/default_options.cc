// Default options of the sanitizer runtimes, linked into every executable of a
// sanitized build (-DSLUICE_SANITIZE=...), so a report fails however the
// binary is started: from ctest, the integration harness or by hand.
//
// The runtimes call these before main; ASAN_OPTIONS, UBSAN_OPTIONS,
// LSAN_OPTIONS and TSAN_OPTIONS given in the environment still override them.
// Every report ends the process with exit code 86 (ThreadSanitizer: 66, at
// exit, so one run shows every race), which the harness checks on close.

extern "C" {

// Not `static`: the runtimes look these names up. Used only by the runtime
// that is linked in; the others stay harmless unused definitions.
const char* __asan_default_options();
const char* __ubsan_default_options();
const char* __lsan_default_options();
const char* __tsan_default_options();

const char* __asan_default_options() {
  // detect_stack_use_after_return: coroutine frames live on the heap, but
  // completion handlers still pass stack references around.
  return "exitcode=86:halt_on_error=1:detect_leaks=1:strict_init_order=1:"
         "detect_stack_use_after_return=1:check_initialization_order=1";
}

const char* __ubsan_default_options() {
  // Without print_stacktrace UBSan prints only the file and line of the check.
  return "exitcode=86:halt_on_error=1:print_stacktrace=1";
}

const char* __lsan_default_options() {
  return "exitcode=86" SLUICE_LSAN_SUPPRESSIONS;
}

const char* __tsan_default_options() {
  return "exitcode=66:halt_on_error=0:second_deadlock_stack=1" SLUICE_TSAN_SUPPRESSIONS;
}

}  // extern "C"
