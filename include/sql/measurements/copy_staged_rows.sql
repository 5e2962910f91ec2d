-- The rows of an export read line by line in Python (readers.CopySource), with their load, file
-- and line, into the load's staging partition.
copy {partition} ({columns}) from stdin with (format csv)
