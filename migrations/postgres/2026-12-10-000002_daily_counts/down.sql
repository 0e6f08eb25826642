DROP TABLE rollup_cursors;
DROP TABLE daily_counts;
