package triggers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/eddyserverless/eddy/buckets"
	"github.com/nats-io/nats.go/jetstream"
)

// kvConfigs keeps configurations in a JetStream key-value bucket, as the
// buckets service does: what Notify's read of the configuration costs.
type kvConfigs struct{ kv jetstream.KeyValue }

func (k kvConfigs) GetConfig(ctx context.Context, bucket string, _ buckets.Config) ([]byte, error) {
	e, err := k.kv.Get(ctx, bucket+".notification")
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return e.Value(), nil
}

// BenchmarkBucketNotificationNotify measures Notify of a change that no
// configuration matches (reading the configuration from a key-value
// bucket, and matching), and of one delivered to a queue.
func BenchmarkBucketNotificationNotify(b *testing.B) {
	r := MustNotifyRig(b)
	ctx := context.Background()
	kv, err := r.e.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "bench_bucket_configs", History: 1})
	if err != nil {
		b.Fatal(err)
	}
	q := r.queue(b, "q", nil)
	n := r.svc.BucketNotifications(kvConfigs{kv})
	out, err := n.Check(ctx, "b", []byte(doc(
		conf("QueueConfiguration", "Queue", q, "q", created, "prefix", "q/"),
		conf("QueueConfiguration", "Queue", q, "r", removed, "prefix", "q/"),
		conf("QueueConfiguration", "Queue", q, "s", created, "prefix", "img/", "suffix", ".jpg"))))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := kv.Put(ctx, "b.notification", out); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, key string }{{"no match", "other/k"}, {"to a queue", "q/k"}} {
		b.Run(bc.name, func(b *testing.B) {
			c := buckets.Change{Bucket: "b", Key: bc.key, Event: "ObjectCreated:Put", Sequencer: "01", RequestID: "R"}
			for b.Loop() {
				if err := n.Notify(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
