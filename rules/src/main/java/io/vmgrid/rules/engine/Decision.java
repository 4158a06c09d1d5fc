package io.vmgrid.rules.engine;

/**
 * The server chosen for a request.
 *
 * @param server the server index
 * @param serverId the server id
 * @param rank its rank among the candidates (0 = best)
 * @param n0 how many top candidates the pick was made among
 */
public record Decision(int server, String serverId, int rank, int n0) {}
