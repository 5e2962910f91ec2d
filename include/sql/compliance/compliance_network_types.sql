-- The network type codes compliance.yaml may name (network_types): a code outside them is refused
-- before anything is computed.
select network_type_code from ispeed.dim_network_type
