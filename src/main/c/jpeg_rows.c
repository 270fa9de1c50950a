/*
 * JPEG rows as libjpeg decodes them, for pixq.image.JpegRows: the resize filter reads a few rows at a time, so no
 * worker ever holds a whole decoded photo (OpenCV's imdecode can only hand back the whole image). Part of pixq's
 * image library (build.sh); pixq decodes with OpenCV where that library is not built.
 */
#include <jni.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf exit;
} errors;

typedef struct {
  struct jpeg_decompress_struct d;
  errors e;
  unsigned char *data; /* libjpeg reads the file from here until it is closed */
  unsigned char *row;  /* a row read to be dropped, for readRow */
} stream;

/* libjpeg's fatal errors must not return into the decoder: back to the setjmp of the call in progress. */
static void fatal(j_common_ptr c) { longjmp(((errors *) c->err)->exit, 1); }

/* Warnings (a truncated file, a bad Huffman code) are not printed: libjpeg fills what it lacks, as OpenCV's decode does. */
static void no_output(j_common_ptr c) { (void) c; }

static void fail(JNIEnv *env, j_common_ptr c, const char *what) {
  char why[JMSG_LENGTH_MAX];
  char text[JMSG_LENGTH_MAX + 64];
  (*c->err->format_message)(c, why);
  snprintf(text, sizeof text, "the JPEG file is corrupt (%s): %s", what, why);
  jclass cls = (*env)->FindClass(env, "pixq/image/ImageException");
  if (cls != NULL) {
    (*env)->ThrowNew(env, cls, text);
  }
}

static void destroy(stream *s) {
  jpeg_destroy_decompress(&s->d);
  free(s->data);
  free(s->row);
  free(s);
}

/* Reads the header and starts decoding at 1/denom; dims gets width, height, channels (1 gray, 3 BGR). */
JNIEXPORT jlong JNICALL Java_pixq_image_JpegRows_open(JNIEnv *env, jclass cls, jbyteArray bytes, jint denom, jintArray dims) {
  (void) cls;
  jsize n = (*env)->GetArrayLength(env, bytes);
  stream *s = calloc(1, sizeof *s);
  if (s == NULL || (s->data = malloc(n > 0 ? n : 1)) == NULL) {
    free(s);
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "no memory to decode the JPEG file");
    return 0;
  }
  (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *) s->data);
  s->d.err = jpeg_std_error(&s->e.pub);
  s->e.pub.error_exit = fatal;
  s->e.pub.output_message = no_output;
  if (setjmp(s->e.exit)) {
    fail(env, (j_common_ptr) &s->d, "header");
    destroy(s);
    return 0;
  }
  jpeg_create_decompress(&s->d);
  jpeg_mem_src(&s->d, s->data, (unsigned long) n);
  jpeg_read_header(&s->d, TRUE);
  s->d.scale_num = 1;
  s->d.scale_denom = (unsigned int) denom;
  s->d.out_color_space = s->d.num_components == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  /* The pixels the coefficients make, never blocks smoothed by estimates: pixq hands this decoder progressive files
     cut to the scans a 1/8 decode reads (JpegScans.java), which libjpeg would otherwise take for a partial download. */
  s->d.do_block_smoothing = FALSE;
  jpeg_start_decompress(&s->d);
  jint out[3] = {(jint) s->d.output_width, (jint) s->d.output_height, (jint) s->d.output_components};
  (*env)->SetIntArrayRegion(env, dims, 0, 3, out);
  return (jlong) (intptr_t) s;
}

/* The next n rows into address (rows of width * channels bytes, packed). */
JNIEXPORT void JNICALL Java_pixq_image_JpegRows_read(JNIEnv *env, jclass cls, jlong handle, jlong address, jint n) {
  (void) cls;
  stream *s = (stream *) (intptr_t) handle;
  size_t stride = (size_t) s->d.output_width * (size_t) s->d.output_components;
  unsigned char *to = (unsigned char *) (intptr_t) address;
  if (setjmp(s->e.exit)) {
    fail(env, (j_common_ptr) &s->d, "pixels");
    return;
  }
  for (jint got = 0; got < n;) {
    JSAMPROW row = to + (size_t) got * stride;
    JDIMENSION read = jpeg_read_scanlines(&s->d, &row, 1);
    if (read == 0) { /* only at the image's end, which the caller never reads past */
      (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalStateException"), "read past the JPEG's last row");
      return;
    }
    got += (jint) read;
  }
}

/* The next row straight into native memory at address (width * channels bytes: the filter's ring takes libjpeg's
   bytes as they are, no conversion in between). Address 0 reads the row and drops it. */
JNIEXPORT void JNICALL Java_pixq_image_JpegRows_readRow(JNIEnv *env, jclass cls, jlong handle, jlong address) {
  (void) cls;
  stream *s = (stream *) (intptr_t) handle;
  size_t n = (size_t) s->d.output_width * (size_t) s->d.output_components;
  if (address == 0 && s->row == NULL && (s->row = malloc(n)) == NULL) {
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "no memory to decode the JPEG file");
    return;
  }
  if (setjmp(s->e.exit)) {
    fail(env, (j_common_ptr) &s->d, "pixels");
    return;
  }
  JSAMPROW row = address == 0 ? s->row : (JSAMPROW) (intptr_t) address;
  if (jpeg_read_scanlines(&s->d, &row, 1) == 0) {
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IllegalStateException"), "read past the JPEG's last row");
  }
}

JNIEXPORT void JNICALL Java_pixq_image_JpegRows_close(JNIEnv *env, jclass cls, jlong handle) {
  (void) env;
  (void) cls;
  destroy((stream *) (intptr_t) handle);
}
