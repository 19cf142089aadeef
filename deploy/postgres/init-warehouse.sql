-- Runs once, when the PostgreSQL volume is first created: the warehouse's own database.
CREATE DATABASE electropluz_warehouse;
