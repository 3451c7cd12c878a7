/*
 * Thin helpers around the C `long double` type for hematite-common.
 *
 * Redis implements INCRBYFLOAT and HINCRBYFLOAT with the platform's
 * `long double` (the x87 80-bit extended format on x86-64), parses operands
 * with strtold() and prints results with printf("%.17Lf").  Rust has no
 * such type, so the arithmetic and the conversions are done here, in C, and
 * exposed through a tiny byte-buffer based interface: every value crosses the
 * FFI boundary as an opaque 16-byte buffer, which avoids any assumption about
 * the alignment the Rust side uses.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Size of the opaque buffer that holds one value on the Rust side. */
#define HM_LD_BYTES 16

/* Longest textual operand accepted, plus one (Redis's MAX_LONG_DOUBLE_CHARS). */
#define HM_MAX_LONG_DOUBLE_CHARS (5 * 1024)

_Static_assert(sizeof(long double) <= HM_LD_BYTES,
               "long double does not fit the 16-byte buffer");

/* Reads a value out of an opaque buffer. */
static long double hm_load(const unsigned char *p) {
    long double v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Writes a value into an opaque buffer, zeroing the unused padding bytes so
 * that the buffer contents are deterministic. */
static void hm_store(unsigned char *p, long double v) {
    memset(p, 0, HM_LD_BYTES);
    memcpy(p, &v, sizeof(v));
}

/* Parses `len` bytes at `s` with the rules of Redis's string2ld(): the text
 * must be non-empty, shorter than HM_MAX_LONG_DOUBLE_CHARS, must not start
 * with whitespace, must be consumed entirely by strtold(), must not overflow
 * to infinity or underflow to zero, and must not be NaN.  Returns 1 and
 * stores the value on success, 0 otherwise. */
int hm_ld_parse(const char *s, size_t len, unsigned char *out) {
    char buf[HM_MAX_LONG_DOUBLE_CHARS];
    char *eptr;
    long double value;

    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';

    errno = 0;
    value = strtold(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || eptr[0] != '\0' ||
        (size_t)(eptr - buf) != len ||
        (errno == ERANGE &&
         (value == HUGE_VALL || value == -HUGE_VALL || fpclassify(value) == FP_ZERO)) ||
        errno == EINVAL || isnan(value))
        return 0;

    hm_store(out, value);
    return 1;
}

/* Converts a 64-bit integer (exactly, the x87 mantissa has 64 bits). */
void hm_ld_from_i64(long long v, unsigned char *out) {
    hm_store(out, (long double)v);
}

/* Stores a + b into out. */
void hm_ld_add(const unsigned char *a, const unsigned char *b, unsigned char *out) {
    hm_store(out, hm_load(a) + hm_load(b));
}

/* Classifies a value: 0 = finite, 1 = infinite, 2 = NaN. */
int hm_ld_classify(const unsigned char *a) {
    long double v = hm_load(a);
    if (isnan(v)) return 2;
    if (isinf(v)) return 1;
    return 0;
}

/* Returns the value rounded to the nearest double. */
double hm_ld_to_f64(const unsigned char *a) {
    return (double)hm_load(a);
}

/* Formats a value with snprintf.  `mode` selects the conversion:
 * 0 = "%.17Lf" (Redis LD_STR_HUMAN, before trimming),
 * 1 = "%.17Lg" (Redis LD_STR_AUTO),
 * 2 = "%La"    (Redis LD_STR_HEX).
 * Returns snprintf's result: the full length of the text, which may exceed
 * `cap - 1`, in which case the caller must retry with a larger buffer. */
int hm_ld_snprintf(const unsigned char *a, int mode, char *out, size_t cap) {
    long double v = hm_load(a);
    switch (mode) {
    case 0: return snprintf(out, cap, "%.17Lf", v);
    case 1: return snprintf(out, cap, "%.17Lg", v);
    case 2: return snprintf(out, cap, "%La", v);
    default: return -1;
    }
}
