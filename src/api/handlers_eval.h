/* handlers_eval.h - handlers of api/evaluation.c. */
#ifndef ZT_HANDLERS_EVAL_H
#define ZT_HANDLERS_EVAL_H
struct req;

#endif
