/* handlers_opendata.h - handlers of api/opendata.c (open data portal). */
#ifndef ZT_HANDLERS_OPENDATA_H
#define ZT_HANDLERS_OPENDATA_H
struct req;
void h_datasets_search(struct req *r);
void h_datasets_publish(struct req *r);
void h_datasets_get(struct req *r);
void h_datasets_republish(struct req *r);
void h_datasets_withdraw(struct req *r);
void h_datasets_rows(struct req *r);
void h_datasets_download(struct req *r);
void h_datasets_chart(struct req *r);
#endif
