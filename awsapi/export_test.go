package awsapi

import "time"

// EncodeShardIterator and DecodeShardIterator expose the shard iterator
// codec to the tests.
func EncodeShardIterator(arn, shard string, pos uint64, issued time.Time) string {
	return shardIterator{Arn: arn, Shard: shard, Pos: pos, Issued: issued.UnixMilli()}.encode()
}

func DecodeShardIterator(s string, now time.Time) (arn, shard string, pos uint64, err error) {
	it, err := decodeShardIterator(s, now)
	return it.Arn, it.Shard, it.Pos, err
}
