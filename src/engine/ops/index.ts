/** Importing this registers every op type. Add one line per op module. */
import './cnn';
import './keras';
import './yolo';
import './transformer';
