package attrs

// MaxItemSize is DynamoDB's limit on the size of an item: 400 KB.
const MaxItemSize = 400 * 1024

// Size returns the size of item as DynamoDB counts it against the 400 KB
// limit ("Item sizes and formats" in the DynamoDB developer guide): for each
// attribute, the UTF-8 length of its name plus the size of its value.
func Size(item Item) int {
	n := 0
	for k, v := range item {
		n += len(k) + ValueSize(v)
	}
	return n
}

// ValueSize returns the size of one value:
//   - S: its UTF-8 length; B: its length in bytes.
//   - N: 1 byte per two significant digits, plus 1 byte.
//   - BOOL and NULL: 1 byte.
//   - SS, NS, BS: the sum of the sizes of their elements.
//   - M and L: 3 bytes, plus for each element 1 byte and its size (and, for
//     M, the length of its name).
func ValueSize(v Value) int {
	switch v.Kind {
	case S:
		return len(v.S)
	case B:
		return len(v.B)
	case N:
		return numberSize(v.N)
	case BOOL, NULL:
		return 1
	case SS:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, x := range v.NS {
			n += numberSize(x)
		}
		return n
	case BS:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case M:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + ValueSize(e)
		}
		return n
	case L:
		n := 3
		for _, e := range v.L {
			n += 1 + ValueSize(e)
		}
		return n
	}
	return 0
}

func numberSize(n Number) int {
	return (len(n.coef)+1)/2 + 1
}
