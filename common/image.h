/* Image input: decode, resize and normalise a picture into a model's input tensor.
 *
 * Decoding is stb_image, for PNG, JPEG and binary PPM/PGM (P6/P5) only; grey images
 * become RGB by repeating the channel and alpha is dropped. The image is then resized to
 * height x width by bilinear interpolation with half-pixel centres (align_corners=false,
 * as TF2 tf.image.resize with antialias=False; PIL agrees when enlarging, but filters
 * more widely when shrinking): output pixel (y, x) samples source position
 * ((y + 0.5) * in_h / height - 0.5, likewise for x), clamped to the image. Finally each
 * value is scaled to [0, 1] and normalised with the ImageNet statistics
 * (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]. */
#ifndef RTPU_COMMON_IMAGE_H
#define RTPU_COMMON_IMAGE_H

#include "common/error.h"

/* out receives height * width * 3 floats, HWC (RGB innermost). */
rtpu_status image_load_normalized(const char *path, int height, int width, float *out,
                                  rtpu_error *err);

#endif
