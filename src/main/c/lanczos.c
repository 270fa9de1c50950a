/*
 * The Lanczos filter's three steps per output row (pixq.image.Lanczos), so that no loop of the filter waits for the
 * JIT's top tier (./pixq then runs the JVM with its quick compiler only: 44 thumbnails 17 % less CPU):
 * - the vertical pass, a weighted sum of whole source rows, vectorised (AVX2 where the CPU has it); the rows are the
 *   source's bytes as decoded, converted as they are summed (no copy of the image in floats), premultiplied floats
 *   for 4 channels;
 * - the horizontal pass: one output pixel's channels as one 4-float vector (GCC's vector extension: SSE or AVX2 on
 *   x86-64, NEON on arm64), four output pixels at a time so four independent sums advance together;
 * - the row rounded and clamped into the output image, colour divided by alpha first for 4 channels.
 * Each step adds, multiplies and rounds as its Java twin does, in the same order, and build.sh turns off fused
 * multiply-adds, so the pixels are the Java filter's to the bit (LanczosTest).
 * Rows, sums and taps live in native memory (allocate/release below) and come by address: a Java array pinned for C
 * holds off the collector, and the serial collector then grows the heap instead of collecting it (4,400 photos
 * peaked at 297 MB, 248 with nothing pinned; bench/RESULTS.md). The Java side makes every address and size.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/*
 * AVX2 loops beside the portable ones on x86-64, chosen when the library loads. PIXQ_PORTABLE builds the portable
 * loops alone, as arm64 and x86-64 without AVX2 run them: the tests build it so on x86-64 too (pom.xml).
 */
#if defined(__x86_64__) && !defined(PIXQ_PORTABLE)
#define PIXQ_AVX2 1
#include <immintrin.h>
#endif

/* A loop the compiler also builds for AVX2, chosen when the library loads (x86-64 only; other CPUs get one build). */
#ifdef PIXQ_AVX2
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VECTOR_CLONES
#endif

static void refuse(JNIEnv *env, const char *why) {
  (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalArgumentException"), why);
}

static void *at(jlong address) {
  return (void *) (intptr_t) address;
}

JNIEXPORT jlong JNICALL Java_pixq_image_Lanczos_allocate(JNIEnv *env, jclass cls, jlong bytes) {
  (void) cls;
  void *p = bytes > 0 ? malloc((size_t) bytes) : NULL;
  if (p == NULL) {
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "no memory for the resize filter's rows");
  }
  return (jlong) (intptr_t) p;
}

JNIEXPORT void JNICALL Java_pixq_image_Lanczos_release(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  free(at(address));
}

JNIEXPORT void JNICALL Java_pixq_image_Lanczos_putFloats(JNIEnv *env, jclass cls, jfloatArray from, jlong to) {
  (void) cls;
  (*env)->GetFloatArrayRegion(env, from, 0, (*env)->GetArrayLength(env, from), at(to));
}

JNIEXPORT void JNICALL Java_pixq_image_Lanczos_putInts(JNIEnv *env, jclass cls, jintArray from, jlong to) {
  (void) cls;
  (*env)->GetIntArrayRegion(env, from, 0, (*env)->GetArrayLength(env, from), at(to));
}

JNIEXPORT void JNICALL Java_pixq_image_Lanczos_copyBytes(JNIEnv *env, jclass cls, jlong from, jlong to, jlong n) {
  (void) env;
  (void) cls;
  memcpy(at(to), at(from), (size_t) n);
}

JNIEXPORT void JNICALL Java_pixq_image_Lanczos_getFloats(JNIEnv *env, jclass cls, jlong from, jfloatArray to) {
  (void) cls;
  (*env)->SetFloatArrayRegion(env, to, 0, (*env)->GetArrayLength(env, to), at(from));
}

typedef float v4f __attribute__((vector_size(16)));

/* Four floats from p: a 3-channel pixel and the next one's first channel, which the sums carry but nobody reads. */
static v4f load4(const float *p) {
  v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* a plus the products of taps weights and pixels from p, added one at a time, in order. */
static v4f add(v4f a, const float *w, int taps, const float *p, int ch) {
  for (int k = 0; k < taps; k++, p += ch) {
    a += w[k] * load4(p);
  }
  return a;
}

/* One pixel's ch (3 or 4) sums into dst: a copy of a known size, which the compiler makes a store, not a call. */
static void put(float *dst, v4f v, int ch) {
  if (ch == 4) {
    memcpy(dst, &v, 4 * sizeof(float));
  } else {
    memcpy(dst, &v, 3 * sizeof(float));
  }
}

/* add() for the last pixels of a 3-channel row, where four floats would read past its end. */
static v4f add3(v4f a, const float *w, int taps, const float *p) {
  for (int k = 0; k < taps; k++, p += 3) {
    a += w[k] * (v4f) {p[0], p[1], p[2], 0};
  }
  return a;
}

/* One channel: one sum per output pixel. */
static void horizontal1(const float *row, const int *first, const int *count, const float *weights, int stride, int out,
    float *dst) {
  for (int x = 0; x < out; x++) {
    const float *w = weights + (long) x * stride, *p = row + first[x];
    float sum = 0;
    for (int k = 0; k < count[x]; k++) {
      sum += w[k] * p[k];
    }
    dst[x] = sum;
  }
}

/* Three or four channels: one pixel's channels as one vector, four output pixels at a time. */
VECTOR_CLONES
static void horizontal_pixels(const float *row, long length, int ch, const int *first, const int *count,
    const float *weights, int stride, int out, float *dst) {
  /* outputs before this one read four floats a pixel; it and those after, at a 3-channel row's end, three */
  int wide = out; /* the taps' ends only move right (Lanczos.Taps), so only the last few outputs are looked at */
  while (wide > 0 && (first[wide - 1] + (long) count[wide - 1]) * ch + 4 - ch > length) {
    wide--;
  }
  int x = 0;
  for (; x + 4 <= wide; x += 4) {
    const float *w[4];
    const float *p[4];
    int n[4];
    int all = stride;
    for (int j = 0; j < 4; j++) {
      w[j] = weights + (long) (x + j) * stride;
      p[j] = row + (long) first[x + j] * ch;
      n[j] = count[x + j];
      all = n[j] < all ? n[j] : all;
    }
    v4f a = {0, 0, 0, 0}, b = a, c = a, d = a;
    for (int k = 0; k < all; k++) {
      long at = (long) k * ch;
      a += w[0][k] * load4(p[0] + at);
      b += w[1][k] * load4(p[1] + at);
      c += w[2][k] * load4(p[2] + at);
      d += w[3][k] * load4(p[3] + at);
    }
    long rest = (long) all * ch;
    a = add(a, w[0] + all, n[0] - all, p[0] + rest, ch);
    b = add(b, w[1] + all, n[1] - all, p[1] + rest, ch);
    c = add(c, w[2] + all, n[2] - all, p[2] + rest, ch);
    d = add(d, w[3] + all, n[3] - all, p[3] + rest, ch);
    put(dst + (long) x * ch, a, ch);
    put(dst + (long) (x + 1) * ch, b, ch);
    put(dst + (long) (x + 2) * ch, c, ch);
    put(dst + (long) (x + 3) * ch, d, ch);
  }
  for (; x < out; x++) {
    const float *w = weights + (long) x * stride, *p = row + (long) first[x] * ch;
    v4f zero = {0, 0, 0, 0}, a = x < wide ? add(zero, w, count[x], p, ch) : add3(zero, w, count[x], p);
    put(dst + (long) x * ch, a, ch);
  }
}

/*
 * dst[x] = the sum over k < count[x] of weights[x * stride + k] * row[first[x] + k], for out pixels of ch (1, 3 or 4)
 * channels, from a row of length floats, where no first[x] + count[x] passes it and no count[x] passes stride
 * (Lanczos.Taps makes them so).
 */
JNIEXPORT void JNICALL Java_pixq_image_Lanczos_horizontalNative(JNIEnv *env, jclass cls, jlong row, jlong length, jint ch,
    jlong first, jlong count, jlong weights, jint stride, jint out, jlong dst) {
  (void) cls;
  if (ch == 1) {
    horizontal1(at(row), at(first), at(count), at(weights), stride, out, at(dst));
  } else if (ch == 3 || ch == 4) {
    horizontal_pixels(at(row), length, ch, at(first), at(count), at(weights), stride, out, at(dst));
  } else {
    refuse(env, "not 1, 3 or 4 channels");
  }
}

/*
 * acc[i] += the sum over k < count of w[k] * rows[k][i], for i < n: each element's products added in k order, as the
 * Java pass adds them. Four rows a sweep, so acc is loaded and stored a quarter as often. Rows of floats (premultiplied
 * 4-channel pixels) or of bytes (libjpeg's or OpenCV's levels, as they are: a byte's float is exact, so the sums are
 * the same, and the ring of rows the pass sweeps is a quarter the size).
 */
#define ADD_ROWS(name, type)                                                                                          \
  static void name(float *restrict acc, const void *const *rows, const float *w, int count, int n) {                  \
    int k = 0;                                                                                                       \
    for (; k + 4 <= count; k += 4) {                                                                                 \
      const type *restrict r0 = rows[k], *restrict r1 = rows[k + 1], *restrict r2 = rows[k + 2],                     \
                           *restrict r3 = rows[k + 3];                                                               \
      float w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];                                                  \
      for (int i = 0; i < n; i++) {                                                                                  \
        acc[i] = acc[i] + w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r3[i];                                         \
      }                                                                                                              \
    }                                                                                                                \
    for (; k < count; k++) {                                                                                         \
      const type *restrict r = rows[k];                                                                              \
      float wk = w[k];                                                                                               \
      for (int i = 0; i < n; i++) {                                                                                  \
        acc[i] += wk * r[i];                                                                                         \
      }                                                                                                              \
    }                                                                                                                \
  }
VECTOR_CLONES ADD_ROWS(add_float_rows, float)
/* Where the CPU has no AVX2 (arm64, old x86-64): the compiler's vectors. */
ADD_ROWS(add_byte_rows, unsigned char)

#ifdef PIXQ_AVX2
/* Eight bytes as eight floats: one widening load and one conversion (GCC's own widening takes bytes to words first). */
__attribute__((target("avx2"))) static __m256 floats8(const unsigned char *p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) p)));
}

/* add_byte_rows with AVX2 written out: the same products, added in the same order. */
__attribute__((target("avx2"))) static void add_byte_rows_avx2(float *restrict acc, const void *const *rows,
    const float *w, int count, int n) {
  int k = 0;
  for (; k + 4 <= count; k += 4) {
    const unsigned char *r0 = rows[k], *r1 = rows[k + 1], *r2 = rows[k + 2], *r3 = rows[k + 3];
    __m256 w0 = _mm256_set1_ps(w[k]), w1 = _mm256_set1_ps(w[k + 1]), w2 = _mm256_set1_ps(w[k + 2]),
           w3 = _mm256_set1_ps(w[k + 3]);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      __m256 a = _mm256_loadu_ps(acc + i);
      a = _mm256_add_ps(a, _mm256_mul_ps(w0, floats8(r0 + i)));
      a = _mm256_add_ps(a, _mm256_mul_ps(w1, floats8(r1 + i)));
      a = _mm256_add_ps(a, _mm256_mul_ps(w2, floats8(r2 + i)));
      a = _mm256_add_ps(a, _mm256_mul_ps(w3, floats8(r3 + i)));
      _mm256_storeu_ps(acc + i, a);
    }
    for (; i < n; i++) {
      acc[i] = acc[i] + w[k] * r0[i] + w[k + 1] * r1[i] + w[k + 2] * r2[i] + w[k + 3] * r3[i];
    }
  }
  for (; k < count; k++) {
    const unsigned char *r = rows[k];
    __m256 wk = _mm256_set1_ps(w[k]);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), _mm256_mul_ps(wk, floats8(r + i))));
    }
    for (; i < n; i++) {
      acc[i] += w[k] * r[i];
    }
  }
}
#endif

/* The byte rows' sweep for this CPU, chosen when the library loads. */
static void (*add_bytes)(float *restrict, const void *const *, const float *, int, int) = add_byte_rows;

#ifdef PIXQ_AVX2
__attribute__((constructor)) static void choose_add_bytes(void) {
  if (__builtin_cpu_supports("avx2")) {
    add_bytes = add_byte_rows_avx2;
  }
}
#endif

/* Which loops the filter runs on this CPU, for pixq --version and the tests. */
JNIEXPORT jstring JNICALL Java_pixq_image_Lanczos_loopsNative(JNIEnv *env, jclass cls) {
  (void) cls;
#ifdef PIXQ_AVX2
  if (add_bytes == add_byte_rows_avx2) {
    return (*env)->NewStringUTF(env, "AVX2");
  }
#endif
  return (*env)->NewStringUTF(env, "portable");
}

/*
 * The vertical pass for one output row: the n floats at acc from the first count rows (addresses; bytes or floats)
 * and weights, a chunk of them at a time, each element's products still in k order.
 */
JNIEXPORT void JNICALL Java_pixq_image_Lanczos_verticalNative(JNIEnv *env, jclass cls, jlong acc, jlongArray jrows,
    jint count, jfloatArray jw, jint n, jboolean bytes) {
  (void) cls;
  enum { CHUNK = 64 };
  if (count < 0 || n < 0 || (*env)->GetArrayLength(env, jrows) < count || (*env)->GetArrayLength(env, jw) < count) {
    refuse(env, "taps reach past the arrays");
    return;
  }
  memset(at(acc), 0, (size_t) n * sizeof(float));
  for (int from = 0; from < count; from += CHUNK) {
    int m = count - from < CHUNK ? count - from : CHUNK;
    jlong addresses[CHUNK];
    float w[CHUNK];
    const void *rows[CHUNK];
    (*env)->GetLongArrayRegion(env, jrows, from, m, addresses);
    (*env)->GetFloatArrayRegion(env, jw, from, m, w);
    for (int k = 0; k < m; k++) {
      rows[k] = at(addresses[k]);
    }
    (bytes ? add_bytes : add_float_rows)(at(acc), rows, w, m, n);
  }
}

/*
 * Rounded to the nearest level and clamped to 0..255, as Java's (v <= 0 ? 0 : v >= 255 ? 255 : (int) (v + 0.5f)):
 * the half added first, then clamped, so the loop is a max, a min and a conversion the compiler vectorises. Past 255
 * the sum is at least 255.5 and clamps to 255; at or below 0 it is at most 0.5 and truncates to 0; NaN, which no sum of
 * finite pixels makes, fails both comparisons and becomes 0, as Java's cast makes it.
 */
VECTOR_CLONES
static void store(const float *restrict line, int n, unsigned char *restrict to) {
  for (int i = 0; i < n; i++) {
    float t = line[i] + 0.5f;
    t = t > 0 ? t : 0;
    t = t < 255 ? t : 255;
    to[i] = (unsigned char) (int) t;
  }
}

/* The n bytes of 4-channel pixels at from as floats at to, colour times alpha (0..1). */
JNIEXPORT void JNICALL Java_pixq_image_Lanczos_premultiplyNative(JNIEnv *env, jclass cls, jlong from, jlong to, jint n) {
  (void) env;
  (void) cls;
  const unsigned char *b = at(from);
  float *f = at(to);
  for (jint i = 0; i + 4 <= n; i += 4) {
    float a = b[i + 3] * (1 / 255.0f);
    f[i] = b[i] * a;
    f[i + 1] = b[i + 1] * a;
    f[i + 2] = b[i + 2] * a;
    f[i + 3] = b[i + 3];
  }
}

/*
 * The n floats at line as bytes into the output image at address: 4 channels have their colour divided by the
 * filtered alpha first (in line, as the Java pass does it).
 */
JNIEXPORT void JNICALL Java_pixq_image_Lanczos_storeNative(JNIEnv *env, jclass cls, jlong floats, jint n, jint ch, jlong address) {
  (void) cls;
  if (ch < 1 || ch > 4 || n % ch != 0 || address == 0) {
    refuse(env, "not a row of whole pixels");
    return;
  }
  float *line = at(floats);
  if (ch == 4) {
    for (jint i = 0; i < n; i += 4) {
      float a = line[i + 3];
      float k = a <= 0 ? 0 : 255 / a;
      line[i] *= k;
      line[i + 1] *= k;
      line[i + 2] *= k;
      line[i + 3] = a < 0 ? 0 : a > 255 ? 255 : a;
    }
  }
  store(line, n, at(address));
}
