/*
 * The Lanczos filter's horizontal pass (pixq.image.Lanczos), for 3 and 4 channels: one output pixel's channels as
 * one 4-float vector (GCC's vector extension: SSE on x86-64, NEON on arm64), two output pixels at a time so two
 * independent sums advance together. The Java pass sums each channel separately, a scalar chain the JIT does not
 * vectorise; this one is 2-2.5x faster. Each sum adds the same products in the same order, and build.sh turns off
 * fused multiply-adds, so the result is the Java pass's to the bit (LanczosTest).
 */
#include <jni.h>
#include <string.h>

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

/* add() for the last pixels of a 3-channel row, where four floats would read past its end. */
static v4f add3(v4f a, const float *w, int taps, const float *p) {
  for (int k = 0; k < taps; k++, p += 3) {
    a += w[k] * (v4f) {p[0], p[1], p[2], 0};
  }
  return a;
}

/*
 * dst[x] = the sum over k < count[x] of weights[x * stride + k] * row[first[x] + k], for out pixels of ch (3 or 4)
 * channels, where no first[x] + count[x] passes reach and no count[x] passes stride (Lanczos.Taps makes them so).
 */
JNIEXPORT void JNICALL Java_pixq_image_Lanczos_horizontalNative(JNIEnv *env, jclass cls, jfloatArray jrow, jint ch,
    jintArray jfirst, jintArray jcount, jfloatArray jweights, jint stride, jint reach, jfloatArray jdst) {
  (void) cls;
  jsize out = (*env)->GetArrayLength(env, jfirst);
  long length = (*env)->GetArrayLength(env, jrow);
  if ((ch != 3 && ch != 4) || (*env)->GetArrayLength(env, jcount) != out || length < (long) reach * ch
      || (long) (*env)->GetArrayLength(env, jweights) < (long) out * stride
      || (long) (*env)->GetArrayLength(env, jdst) < (long) out * ch) {
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalArgumentException"), "taps reach past the arrays");
    return;
  }
  float *row = (*env)->GetPrimitiveArrayCritical(env, jrow, NULL);
  int *first = (*env)->GetPrimitiveArrayCritical(env, jfirst, NULL);
  int *count = (*env)->GetPrimitiveArrayCritical(env, jcount, NULL);
  float *weights = (*env)->GetPrimitiveArrayCritical(env, jweights, NULL);
  float *dst = (*env)->GetPrimitiveArrayCritical(env, jdst, NULL);
  /* outputs before this one read four floats a pixel; it and those after, at a 3-channel row's end, three */
  int wide = 0;
  while (wide < out && (first[wide] + (long) count[wide]) * ch + 4 - ch <= length) {
    wide++;
  }
  int x = 0;
  for (; x + 2 <= wide; x += 2) {
    const float *w0 = weights + (long) x * stride, *w1 = w0 + stride;
    const float *p = row + (long) first[x] * ch, *q = row + (long) first[x + 1] * ch;
    int n0 = count[x], n1 = count[x + 1], both = n0 < n1 ? n0 : n1;
    v4f a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
    for (int k = 0; k < both; k++, p += ch, q += ch) {
      a += w0[k] * load4(p);
      b += w1[k] * load4(q);
    }
    a = add(a, w0 + both, n0 - both, p, ch);
    b = add(b, w1 + both, n1 - both, q, ch);
    memcpy(dst + (long) x * ch, &a, ch * sizeof(float));
    memcpy(dst + (long) (x + 1) * ch, &b, ch * sizeof(float));
  }
  for (; x < out; x++) {
    const float *w = weights + (long) x * stride, *p = row + (long) first[x] * ch;
    v4f zero = {0, 0, 0, 0}, a = x < wide ? add(zero, w, count[x], p, ch) : add3(zero, w, count[x], p);
    memcpy(dst + (long) x * ch, &a, ch * sizeof(float));
  }
  (*env)->ReleasePrimitiveArrayCritical(env, jdst, dst, 0);
  (*env)->ReleasePrimitiveArrayCritical(env, jweights, weights, JNI_ABORT);
  (*env)->ReleasePrimitiveArrayCritical(env, jcount, count, JNI_ABORT);
  (*env)->ReleasePrimitiveArrayCritical(env, jfirst, first, JNI_ABORT);
  (*env)->ReleasePrimitiveArrayCritical(env, jrow, row, JNI_ABORT);
}
