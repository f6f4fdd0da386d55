-- The tier job in DuckDB (see the crate's `definitions`, profile metrics to RFM segments): profiles, tie-aware RFM scores, the default
-- segment map, metals; one row per buyer, by customer_id in byte order.
-- peer_duckdb.py replaces {file}, {as_of} and {out} (quoted) before running it.
COPY (
    WITH profiles AS (
        SELECT customer_id,
               DATE {as_of} - max(date) AS recency_days,
               count(DISTINCT date)     AS frequency,
               count(*)                 AS transactions,
               sum(amount)              AS monetary,
               DATE {as_of} - min(date) AS tenure_days
        FROM read_csv({file}, header = true, delim = ',',
                      columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DECIMAL(18,2)'})
        -- Rows after the as-of date are read but counted in no metric (see `definitions`, profile metrics).
        WHERE date <= DATE {as_of}
        GROUP BY customer_id
    ),
    scored AS (
        -- Tie-aware quantile scores (see `definitions`): 1 + floor(k·L/n), L = customers with a worse value.
        SELECT *,
               1 + (5 * (rank() OVER (ORDER BY recency_days DESC) - 1)) // count(*) OVER () AS r,
               1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER ()         AS f,
               1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER ()          AS m,
               -- Pareto tiers (see `definitions`): p = customers with strictly more money.
               rank() OVER (ORDER BY monetary DESC) - 1 AS p,
               count(*) OVER () AS n
        FROM profiles
    )
    SELECT customer_id, recency_days, frequency, transactions, monetary, tenure_days, r, f, m,
           -- The default segment map (see `definitions`, RFM segments), indexed by (r - 1) · 5 + f (lists are 1-based).
           ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose',
            'hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose',
            'about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal_customers', 'loyal_customers',
            'promising', 'potential_loyalists', 'potential_loyalists', 'loyal_customers', 'loyal_customers',
            'new_customers', 'potential_loyalists', 'potential_loyalists', 'champions', 'champions'
           ][(r - 1) * 5 + f] AS rfm_segment,
           CASE WHEN 100 * p < 1 * n THEN 'platinum'
                WHEN 100 * p < 5 * n THEN 'gold'
                WHEN 100 * p < 20 * n THEN 'iron'
                ELSE 'lead' END AS metal
    FROM scored
    ORDER BY customer_id
) TO {out} (HEADER, DELIMITER ',');
