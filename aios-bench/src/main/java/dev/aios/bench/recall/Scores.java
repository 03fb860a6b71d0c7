package dev.aios.bench.recall;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * How one system did on one query set.
 *
 * @param queries how many queries
 * @param hit1 share of queries whose answer came first
 * @param hit5 share whose answer was in the top 5
 * @param mrr10 mean reciprocal rank of the answer within the top 10 (0 when not in it)
 * @param ndcg10 mean nDCG@10 with the one answer as the only relevant item: 1 / log2(1 + rank)
 * @param p50 median latency of one query, milliseconds
 * @param p99 99th percentile latency, milliseconds
 */
public record Scores(int queries, double hit1, double hit5, double mrr10, double ndcg10, double p50, double p99) {

    /** Scores from the answer's rank per query (0 when not in the top 10) and latencies in microseconds. */
    static Scores of(List<Integer> ranks, Histogram micros) {
        double h1 = 0;
        double h5 = 0;
        double mrr = 0;
        double ndcg = 0;
        for (int rank : ranks) {
            if (rank == 1) {
                h1++;
            }
            if (rank >= 1 && rank <= 5) {
                h5++;
            }
            if (rank >= 1 && rank <= 10) {
                mrr += 1.0 / rank;
                ndcg += 1.0 / (Math.log(1 + rank) / Math.log(2));
            }
        }
        int n = Math.max(1, ranks.size());
        return new Scores(
                ranks.size(),
                h1 / n,
                h5 / n,
                mrr / n,
                ndcg / n,
                micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0);
    }
}
