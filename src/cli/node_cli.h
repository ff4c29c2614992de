/* node_cli.h - `zhengtong node init|show|add`: this node's federation
 * identity and the local registry of peer nodes (fed/node.h). */
#ifndef ZT_NODE_CLI_H
#define ZT_NODE_CLI_H

#define CLI_NODE_USAGE                                                                             \
	"zhengtong node init --region CODE --name NAME [--url URL]\n"                              \
	"                     [--parent URL | --parent-region CODE]\n"                             \
	"  zhengtong node show\n"                                                                  \
	"  zhengtong node add --region CODE --name NAME --url URL --key FILE.pem\n"                \
	"                     [--parent-region CODE] [--config FILE]\n"                            \
	"  zhengtong node key | sync | deliver | outbox [--status pending|delivered|failed]\n"     \
	"  zhengtong node ping --to REGION [--count N]\n"                                          \
	"  zhengtong node retire|activate --region CODE"
#define CLI_NODE_HELP                                                                              \
	"init: sets this node's federation identity (region, name, address, parent region)\n"      \
	"and registers its SM2 key (node.key) under the region in the registry of nodes.\n"        \
	"Prints the identity with the key id and the public key's SM3 fingerprint. Run again\n"    \
	"with the same region it updates the name, URL and parent; a node's region cannot\n"       \
	"change. URL: http(s)://host[:port]. --parent URL asks the parent node at that address\n"  \
	"for its region (trust still comes from the hub's registry).\n"                            \
	"show: prints the identity; exit 1 when the node is not initialised.\n"                    \
	"add: registers (or updates) a peer node with its public key (PEM) in this node's\n"       \
	"registry, so that its signed messages are accepted. Registering the national hub\n"       \
	"(--region 000000) makes it the trust anchor: its signed registry lists the others.\n"     \
	"key: prints this node's public key (PEM) to give to the operators of its peers.\n"        \
	"sync: fetches the hub's signed registry now (a serving node does so periodically).\n"     \
	"retire: stops trusting a node (at the hub: every node, through the registry).\n"          \
	"ping: queues N fed.ping messages to a node (checks reach and trust both ways).\n"         \
	"deliver: one delivery pass of the outbox now. outbox: messages waiting, sent, refused.\n" \
	"See docs/federation.md."
int cli_node(int argc, char **argv);

#endif
