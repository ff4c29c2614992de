/* handlers_eval.h - handlers of api/evaluation.c (capability evaluation). */
#ifndef ZT_HANDLERS_EVAL_H
#define ZT_HANDLERS_EVAL_H
struct req;
void h_evaluation(struct req *r);
void h_evaluation_region(struct req *r);
void h_evaluation_analysis(struct req *r);
void h_evaluation_indicators(struct req *r);
void h_evaluation_trend(struct req *r);
#endif
