DROP TABLE IF EXISTS client_presentations;
